import CGStreamer

/// Values of C macros that do not import into Swift (GLib's fundamental
/// type ids, GStreamer's time unit and parameter flags).
enum GLibConstants {
    /// G_TYPE_MAKE_FUNDAMENTAL(n) is n << 2.
    static let typeBoolean = GType(5 << 2)
    static let typeInt = GType(6 << 2)
    static let typeUInt64 = GType(11 << 2)
    static let typeDouble = GType(15 << 2)
    static let typeString = GType(16 << 2)

    /// GST_SECOND: nanoseconds in a second.
    static let second: GstClockTime = 1_000_000_000
    /// GST_CLOCK_TIME_NONE.
    static let clockTimeNone = GstClockTime.max

    /// GST_PARAM_MUTABLE_READY / _PLAYING: (1 << (G_PARAM_USER_SHIFT + 2 / + 4)).
    static let paramMutableReady = Int32(1 << (8 + 2))
    static let paramMutablePlaying = Int32(1 << (8 + 4))
}
