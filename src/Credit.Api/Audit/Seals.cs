using System.Security.Cryptography;
using System.Text;
using Credit.Api.Groups;

namespace Credit.Api.Audit;

/// <summary>
/// HMAC-SHA256 seals, under a key derived from the token signing key, for what decisions read from the database outside
/// the hash chain: checkpoint images (over the customer, the version, the chain's link there and the image) and group
/// records (over the id, name and limits). A record edited in the database, or left by a rewritten history, no longer
/// matches its seal; whoever reads it then takes the chained events instead.
/// </summary>
public sealed class Seals(byte[] signingKey)
{
    private readonly byte[] _key = HMACSHA256.HashData(signingKey, "credit-ledger seals"u8);

    public byte[] Checkpoint(string customerId, long version, byte[]? chainLink, byte[] state) =>
        Mac(Encoding.UTF8.GetBytes($"checkpoint\u001f{customerId}\u001f{version}\u001f"), chainLink ?? [], state);

    public bool CheckpointHolds(string customerId, long version, byte[]? chainLink, byte[] state, byte[]? seal) =>
        seal is not null && chainLink is not null && CryptographicOperations.FixedTimeEquals(Checkpoint(customerId, version, chainLink, state), seal);

    /// <summary>A group's seal (what decides its members' credit: the limits; the name for the views).</summary>
    public string Group(CustomerGroup g) => Convert.ToBase64String(Mac(Encoding.UTF8.GetBytes(string.Create(
        System.Globalization.CultureInfo.InvariantCulture, $"group\u001f{g.Id}\u001f{g.Name}\u001f{g.DefaultCreditLimit}\u001f{g.SharedCreditLimit}"))));

    public bool GroupHolds(CustomerGroup g) => g.Seal is { } seal && CryptographicOperations.FixedTimeEquals(
        Encoding.ASCII.GetBytes(Group(g)), Encoding.ASCII.GetBytes(seal));

    private byte[] Mac(params byte[][] parts)
    {
        using var mac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        foreach (var part in parts) mac.AppendData(part);
        return mac.GetHashAndReset();
    }
}
