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

/// SHA-256 over data that arrives in pieces (a canonical document written part by part).
public struct SHA256Stream {
    private var hasher = SHA256()

    /// A fresh digest.
    public init() {}

    /// Adds bytes.
    public mutating func update(_ bytes: [UInt8]) {
        hasher.update(data: bytes)
    }

    /// Adds the UTF-8 bytes of `text`.
    public mutating func update(_ text: String) {
        hasher.update(data: Array(text.utf8))
    }

    /// The digest as lowercase hex.
    public func finalize() -> String {
        SHA256Hex.hex(Array(hasher.finalize()))
    }
}
