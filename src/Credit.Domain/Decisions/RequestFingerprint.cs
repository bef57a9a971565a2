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

/// <summary>
/// A create request's fingerprints. Raw: the body as sent. Resolved: the body with the dates it left out filled in
/// (the document's date, and its due date where it has one), given the document's own dates. A new document keeps the
/// resolved one; a repeat matches when either agrees, so spelling out what the first request left to its default (the
/// day it defaulted to, the due date the terms gave) is the same request, and a document recorded before the resolved
/// print (its events keep the raw one) still answers its identical repeats. Each is computed only when asked for.
/// </summary>
public sealed class RequestPrint(Func<string> raw, Func<DateOnly, DateOnly?, string>? resolved = null)
{
    private string? _raw;

    public string Raw => _raw ??= raw();

    public static implicit operator RequestPrint(string raw) => new(() => raw);

    /// <summary>What a new document keeps, given its dates.</summary>
    public string For(DateOnly date, DateOnly? dueOn = null) => resolved?.Invoke(date, dueOn) ?? Raw;

    /// <summary>Whether this repeats the request that made a document with these dates and kept <paramref name="kept"/>.</summary>
    public bool Repeats(RequestFingerprint kept, DateOnly date, DateOnly? dueOn = null) =>
        kept == RequestFingerprint.Of(Raw) || (resolved is not null && kept == RequestFingerprint.Of(resolved(date, dueOn)));
}
