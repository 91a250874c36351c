public enum CorocVersion {
    public static let string = "0.1.0"
}
