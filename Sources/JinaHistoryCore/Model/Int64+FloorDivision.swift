extension Int64 {
    /// Division rounding toward minus infinity, so times before 1970 and slots before an hour's start fall in
    /// the right second or hour.
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
