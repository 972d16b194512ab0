/// The visible mark on generated frames: "AI" in a 3×5 pixel font, light on a dark box, in
/// the bottom-right corner, one font pixel per 64 pixels of the shorter side (at least 1).
/// Small enough to leave the picture readable, plain enough to say the video is generated.
public enum Watermark {
    private static let glyphs: [[String]] = [
        ["010", "101", "111", "101", "101"],  // A
        ["111", "010", "010", "010", "111"],  // I
    ]

    public static func draw(on frame: inout RGBFrame) {
        let unit = max(1, min(frame.width, frame.height) / 64)
        let markWidth = (3 * 2 + 1 + 2) * unit  // two glyphs, a gap, a one-unit margin each side
        let markHeight = (5 + 2) * unit
        guard frame.width > markWidth + unit, frame.height > markHeight + unit else { return }
        let left = frame.width - markWidth - unit, top = frame.height - markHeight - unit
        for y in top ..< top + markHeight {
            for x in left ..< left + markWidth { set(&frame, x, y, 24) }
        }
        for (g, glyph) in glyphs.enumerated() {
            for (row, bits) in glyph.enumerated() {
                for (column, bit) in bits.enumerated() where bit == "1" {
                    let x0 = left + (1 + g * 4 + column) * unit, y0 = top + (1 + row) * unit
                    for y in y0 ..< y0 + unit { for x in x0 ..< x0 + unit { set(&frame, x, y, 235) } }
                }
            }
        }
    }

    private static func set(_ frame: inout RGBFrame, _ x: Int, _ y: Int, _ value: UInt8) {
        let offset = (y * frame.width + x) * 3
        frame.pixels[offset] = value
        frame.pixels[offset + 1] = value
        frame.pixels[offset + 2] = value
    }
}
