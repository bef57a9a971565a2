namespace Credit.Domain.Money;

/// <summary>ISO 4217 minor units: money is rounded per currency, never to a fixed 2 places.</summary>
public static class Currency
{
    public const string Default = "SAR";

    private static readonly Dictionary<string, int> MinorUnitsByCode = new(StringComparer.Ordinal)
    {
        // Gulf and neighbours first; three-decimal dinars are the trap.
        ["SAR"] = 2, ["AED"] = 2, ["QAR"] = 2, ["KWD"] = 3, ["BHD"] = 3, ["OMR"] = 3, ["JOD"] = 3,
        ["IQD"] = 3, ["LYD"] = 3, ["TND"] = 3, ["EGP"] = 2, ["YER"] = 2, ["LBP"] = 2, ["SYP"] = 2,
        ["MAD"] = 2, ["DZD"] = 2, ["SDG"] = 2, ["TRY"] = 2, ["PKR"] = 2, ["INR"] = 2, ["BDT"] = 2,
        ["USD"] = 2, ["EUR"] = 2, ["GBP"] = 2, ["CHF"] = 2, ["CNY"] = 2, ["CAD"] = 2, ["AUD"] = 2,
        ["JPY"] = 0, ["KRW"] = 0, ["CLP"] = 0, ["ISK"] = 0, ["VND"] = 0, ["XOF"] = 0, ["XAF"] = 0,
        ["UGX"] = 0, ["PYG"] = 0, ["RWF"] = 0, ["KMF"] = 0, ["DJF"] = 0, ["GNF"] = 0, ["VUV"] = 0,
        ["XPF"] = 0, ["BIF"] = 0, ["UYI"] = 0, ["CLF"] = 4, ["UYW"] = 4,
        ["SEK"] = 2, ["NOK"] = 2, ["DKK"] = 2, ["PLN"] = 2, ["CZK"] = 2, ["HUF"] = 2, ["RON"] = 2,
        ["RUB"] = 2, ["UAH"] = 2, ["ZAR"] = 2, ["NGN"] = 2, ["KES"] = 2, ["ETB"] = 2, ["GHS"] = 2,
        ["BRL"] = 2, ["MXN"] = 2, ["ARS"] = 2, ["COP"] = 2, ["PEN"] = 2, ["SGD"] = 2, ["HKD"] = 2,
        ["MYR"] = 2, ["IDR"] = 2, ["THB"] = 2, ["PHP"] = 2, ["NZD"] = 2, ["ILS"] = 2, ["IRR"] = 2,
        ["AFN"] = 2, ["AZN"] = 2, ["GEL"] = 2, ["AMD"] = 2, ["KZT"] = 2, ["UZS"] = 2, ["LKR"] = 2,
        ["NPR"] = 2, ["MVR"] = 2, ["TWD"] = 2, ["MRU"] = 2, ["SOS"] = 2, ["ERN"] = 2, ["SSP"] = 2,
    };

    public static bool IsKnown(string? code) => code is not null && MinorUnitsByCode.ContainsKey(code);

    public static int MinorUnits(string code) =>
        MinorUnitsByCode.TryGetValue(code, out var units) ? units
            : throw new ArgumentException($"Unknown currency '{code}'.", nameof(code));

    public static decimal Round(decimal amount, string code) =>
        Math.Round(amount, MinorUnits(code), MidpointRounding.AwayFromZero);

    /// <summary>The smallest amount of the currency: 0.01 SAR, 0.001 KWD, 1 JPY.</summary>
    public static decimal MinorUnit(string code) => 1m / (decimal)Math.Pow(10, MinorUnits(code));

    /// <summary>True when the amount has no more decimals than the currency's minor unit.</summary>
    public static bool FitsMinorUnit(decimal amount, string code) =>
        IsKnown(code) && Round(amount, code) == amount;

    /// <summary>
    /// The fields of a document's amount and of its parts (installments, allocations) with more decimals than the
    /// currency allows, named as validation names fields ("installments[1].amount"); empty when they all fit.
    /// </summary>
    public static IReadOnlyList<string> ImpreciseFields<T>(decimal amount, IReadOnlyList<T>? parts, Func<T, decimal> partAmount, string partsName, string code)
    {
        var fields = new List<string>();
        if (!FitsMinorUnit(amount, code)) fields.Add("amount");
        for (var i = 0; i < (parts?.Count ?? 0); i++)
            if (!FitsMinorUnit(partAmount(parts![i]), code)) fields.Add($"{partsName}[{i}].amount");
        return fields;
    }
}
