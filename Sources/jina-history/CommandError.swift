/// A mistake the command itself finds in its flags (a combination, a form only the command knows), already in the
/// words a person reads: exit 2 with one line, like every other bad input.
struct UsageError: Error {
    /// What is wrong, naming the flags, and what to do.
    let message: String

    init(_ message: String) { self.message = message }
}

/// Standard output could not be written (a full disk, a closed pipe): exit 3.
struct OutputError: Error {
    /// What failed, and where to look.
    let message: String
}
