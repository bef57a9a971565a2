using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Credit.Domain.Decisions;

/// <summary>
/// A create request's fingerprint as an account keeps it in memory: 16 bytes instead of a 32-character string (88
/// bytes), one per document, of the ~0.7 KB a document takes in a cached account. Events keep the text; the API's
/// fingerprints are 32 hex digits and are read exactly, any other text (older or hand-made events) is hashed.
/// </summary>
public readonly record struct RequestFingerprint(UInt128 Value)
{
    public static RequestFingerprint Of(string text) =>
        text.Length == 32 && UInt128.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? new(value)
            : new(BinaryPrimitives.ReadUInt128LittleEndian(SHA256.HashData(Encoding.UTF8.GetBytes(text))));

    public static implicit operator RequestFingerprint(string text) => Of(text);
}
