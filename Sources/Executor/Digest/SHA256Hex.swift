import Crypto

/// SHA-256 as lowercase hex, the form every runjob digest uses.
public enum SHA256Hex {
    /// The digest of `bytes`.
    public static func digest(_ bytes: some Sequence<UInt8>) -> String {
        hex(Array(SHA256.hash(data: Array(bytes))))
    }

    /// The digest of the UTF-8 bytes of `text`.
    public static func digest(_ text: String) -> String {
        digest(Array(text.utf8))
    }

    /// Lowercase hex of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
