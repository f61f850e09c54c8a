using System.Globalization;

namespace EnvTools.Commands;

/// <summary>
/// How EnvTools shows a size in its tables: bytes below 1 KiB, else binary units (KiB, MiB, GiB, TiB; 1 KiB = 1,024
/// bytes) with one decimal, rounded to nearest, in the largest unit that keeps the number below 1,000 ("1.0 KiB" for
/// 1,038 bytes). The objects keep the exact byte count (<c>Size -gt 100MB</c> compares bytes).
/// </summary>
public static class ByteSize
{
    private static readonly string[] Units = { "KiB", "MiB", "GiB", "TiB", "PiB" };

    /// <summary>The size as shown in tables; empty for null.</summary>
    public static string Format(object? bytes)
    {
        if (bytes is null)
        {
            return string.Empty;
        }

        double value = Convert.ToDouble(bytes, CultureInfo.InvariantCulture);
        if (Math.Abs(value) < 1024)
        {
            return value.ToString("N0", CultureInfo.CurrentCulture) + " B";
        }

        int unit = -1;
        do
        {
            value /= 1024;
            unit++;
        }
        while (Math.Round(Math.Abs(value), 1, MidpointRounding.AwayFromZero) >= 1000 && unit < Units.Length - 1);

        return Math.Round(value, 1, MidpointRounding.AwayFromZero).ToString("N1", CultureInfo.CurrentCulture) + " " + Units[unit];
    }
}
