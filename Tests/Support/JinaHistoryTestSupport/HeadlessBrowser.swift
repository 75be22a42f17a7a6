public import Foundation

/// Debian's Chromium, headless, in a network namespace of its own (`unshare -n`): it renders local files and
/// cannot reach any host, whatever its background services try.
public enum HeadlessBrowser {
    public static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// What Chromium made of `html` in a window of `windowSize` (`WIDTH,HEIGHT`): the DOM after rendering, and a
    /// screenshot's size and colours (counted by scripts/fixture/png_colours.py).
    public static func render(_ html: URL, windowSize: String = "1100,1400") async throws
        -> (dom: String, width: Int, height: Int, colours: Int, inked: Int)
    {
        guard let chromium else { throw ConditionTimedOut(description: "no chromium; scripts/test installs it") }
        let screenshot = html.deletingPathExtension().appendingPathExtension("png")
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--user-data-dir=\(html.deletingLastPathComponent().appending(path: "chromium").path)"]
        let dom = try await runJinaHistory(
            ["-n", chromium] + flags + ["--dump-dom", html.absoluteString], binary: "/usr/bin/unshare",
            timeout: .seconds(60))
        guard dom.status == 0 else { throw ConditionTimedOut(description: "chromium --dump-dom: \(dom.stderr)") }
        let shot = try await runJinaHistory(
            ["-n", chromium] + flags + ["--window-size=\(windowSize)", "--screenshot=\(screenshot.path)", html.absoluteString],
            binary: "/usr/bin/unshare", timeout: .seconds(60))
        guard shot.status == 0 else { throw ConditionTimedOut(description: "chromium --screenshot: \(shot.stderr)") }
        let counted = try await runJinaHistory(
            [TestPaths.repository.appending(path: "scripts/fixture/png_colours.py").path, screenshot.path],
            binary: TestPaths.python)
        let numbers = counted.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        guard numbers.count == 4 else { throw ConditionTimedOut(description: "png_colours: \(counted.stderr)") }
        return (dom.stdout, numbers[0], numbers[1], numbers[2], numbers[3])
    }
}
