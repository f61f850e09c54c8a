using System.Diagnostics;
using System.Text.Json;

namespace EnvTools.Bench;

/// <summary>One timed run: best seconds over the repeats, records seen, peak resident memory.</summary>
internal sealed record Measurement(string Tool, double Seconds, long Records, long PeakBytes, long BaselineBytes)
{
    internal static Measurement RunChild(string tool, string fileName, IEnumerable<string> arguments)
    {
        var psi = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments)
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {fileName}");
        string stdout = p.StandardOutput.ReadToEnd();
        string stderr = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} failed ({p.ExitCode}): {stderr}{stdout}");
        }

        string line = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        using JsonDocument doc = JsonDocument.Parse(line);
        JsonElement r = doc.RootElement;
        return new Measurement(
            tool,
            r.GetProperty("seconds").GetDouble(),
            r.GetProperty("records").GetInt64(),
            r.GetProperty("peak_bytes").GetInt64(),
            r.TryGetProperty("baseline_bytes", out JsonElement b) ? b.GetInt64() : 0);
    }

    /// <summary>Peak resident set size of this process (VmHWM), or the current working set elsewhere.</summary>
    internal static long PeakResidentBytes() => ReadStatus("VmHWM:") ?? Process.GetCurrentProcess().PeakWorkingSet64;

    /// <summary>Current resident set size of this process.</summary>
    internal static long ResidentBytes() => ReadStatus("VmRSS:") ?? Process.GetCurrentProcess().WorkingSet64;

    private static long? ReadStatus(string key)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status))
        {
            return null;
        }

        foreach (string line in File.ReadLines(status))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                string kb = line[key.Length..].Trim().Split(' ')[0];
                return long.Parse(kb) * 1024;
            }
        }

        return null;
    }
}
