// LibClang: whether libclang 14 could be loaded (CClang's loader.c opens it
// with dlopen on first use, so coroc runs without it for Swift input).
import CClang

public enum LibClang {
    /// nil once libclang is loaded; otherwise what to tell the user
    /// ("libclang 14 not found; install it with: apt-get install libclang-dev").
    public static func loadError() -> String? {
        if coroc_clang_load() == 0 { return nil }
        return coroc_clang_error().map { String(cString: $0) } ?? "libclang 14 could not be loaded"
    }
}
