using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace EnvTools.Tests.Fuzz;

/// <summary>One fuzz target: seed inputs and the code under test, which may only fail with an EnvToolsException.</summary>
/// <remarks><paramref name="ShortIterations"/>: inputs in the suite's short run (slow targets, such as decompression, get fewer).</remarks>
public sealed record FuzzTarget(string Name, Func<IReadOnlyList<byte[]>> Seeds, Action<byte[]> Run, string[]? Tokens = null, int ShortIterations = 1500);

/// <summary>An input that made a target throw an untyped exception or run too long.</summary>
public sealed record FuzzFinding(string Target, string Kind, string Message, byte[] Input, string? SavedAs);

/// <summary>What one run of a target did.</summary>
public sealed record FuzzReport(string Target, int Executions, TimeSpan Elapsed, IReadOnlyList<FuzzFinding> Findings)
{
    public double PerSecond => Executions / Math.Max(Elapsed.TotalSeconds, 1e-9);
}

/// <summary>
/// A small seeded mutation fuzzer: byte flips, insertions, deletions, duplications and splices of the
/// seeds, plus format tokens (brackets, quotes, NUL, 0xFF, long runs). Deterministic for a seed and an
/// iteration count. Any exception that is not an <see cref="EnvToolsException"/> is a finding, and so
/// is an execution longer than <see cref="HangLimit"/>; a finding's input is written to the findings folder.
/// </summary>
public static class FuzzEngine
{
    /// <summary>An execution that takes longer than this is a hang.</summary>
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(5);

    private static readonly byte[][] CommonTokens =
    [
        "["u8.ToArray(), "]"u8.ToArray(), "{"u8.ToArray(), "}"u8.ToArray(), "\""u8.ToArray(), "'"u8.ToArray(), ":"u8.ToArray(),
        ","u8.ToArray(), "\n"u8.ToArray(), "\t"u8.ToArray(), "\\"u8.ToArray(), "\\u0000"u8.ToArray(), "\\ud800"u8.ToArray(),
        [0], [0xFF], [0xC3], [0xE2, 0x82], [0xEF, 0xBF, 0xBD], "-1"u8.ToArray(), "99999999999999999999"u8.ToArray(), "1e999"u8.ToArray(),
        "null"u8.ToArray(), "true"u8.ToArray(), "[]"u8.ToArray(), "{}"u8.ToArray(), "*"u8.ToArray(), "|"u8.ToArray(), "("u8.ToArray(),
        ")"u8.ToArray(), "&a "u8.ToArray(), "*a"u8.ToArray(), "!!binary "u8.ToArray(), "- "u8.ToArray(), "/"u8.ToArray(), ".."u8.ToArray(),
        "%"u8.ToArray(), "::"u8.ToArray(), "file:///"u8.ToArray(), "http://\uFFFD/"u8.ToArray(),
    ];

    /// <summary>Runs <paramref name="iterations"/> mutated inputs (plus every seed once) through the target.</summary>
    public static FuzzReport Run(FuzzTarget target, int seed, int iterations, string? findingsDirectory, TimeSpan? budget = null)
    {
        IReadOnlyList<byte[]> seeds = target.Seeds();
        if (seeds.Count == 0)
        {
            seeds = [Array.Empty<byte>()];
        }

        byte[][] tokens = CommonTokens.Concat((target.Tokens ?? []).Select(Encoding.UTF8.GetBytes)).ToArray();
        var rng = new Random(unchecked((seed * 31) + StableHash(target.Name))); // not HashCode.Combine: it is randomised per process
        var findings = new List<FuzzFinding>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var sw = Stopwatch.StartNew();
        int executions = 0;

        // The target runs on a worker thread so that a hang is reported instead of blocking the run.
        byte[]? current = null;
        long startedAt = 0;
        int total = seeds.Count + iterations;
        var worker = new Thread(() =>
        {
            for (int i = 0; i < total; i++)
            {
                if (budget is { } b && sw.Elapsed > b)
                {
                    break;
                }

                byte[] input = i < seeds.Count ? seeds[i] : Mutate(rng, seeds, tokens);
                Volatile.Write(ref current, input);
                Interlocked.Exchange(ref startedAt, Stopwatch.GetTimestamp());
                try
                {
                    target.Run(input);
                }
                catch (EnvToolsException)
                {
                }
                catch (Exception ex)
                {
                    // one finding per exception type and throwing method
                    // the first frame in EnvTools' own code names the place to fix
                    string[] frames = ex.StackTrace?.Split('\n').Select(f => f.Trim()).ToArray() ?? [];
                    string where = frames.FirstOrDefault(f => f.StartsWith("at EnvTools.", StringComparison.Ordinal) && !f.Contains(".Tests.", StringComparison.Ordinal))
                        ?? frames.FirstOrDefault() ?? "";
                    string key = ex.GetType().FullName + " " + where;
                    lock (findings)
                    {
                        if (seen.Add(key))
                        {
                            findings.Add(new FuzzFinding(target.Name, ex.GetType().FullName!, $"{ex.GetType().Name}: {ex.Message}\n   {where}", input, Save(findingsDirectory, target.Name, input)));
                        }
                    }
                }

                Interlocked.Exchange(ref startedAt, 0);
                Interlocked.Increment(ref executions);
            }
        }, 16 * 1024 * 1024) { IsBackground = true, Name = "fuzz " + target.Name };
        worker.Start();
        while (!worker.Join(50))
        {
            long s = Interlocked.Read(ref startedAt);
            if (s != 0 && Stopwatch.GetElapsedTime(s) > HangLimit)
            {
                byte[] input = Volatile.Read(ref current)!;
                lock (findings)
                {
                    findings.Add(new FuzzFinding(target.Name, "hang", $"an input ran longer than {HangLimit.TotalSeconds} s", input, Save(findingsDirectory, target.Name, input)));
                }

                break; // the worker thread is abandoned (background); the run reports what it found
            }
        }

        return new FuzzReport(target.Name, Volatile.Read(ref executions), sw.Elapsed, findings);
    }

    private static string? Save(string? directory, string target, byte[] input)
    {
        if (directory is null)
        {
            return null;
        }

        string dir = Path.Combine(directory, target);
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, Convert.ToHexString(SHA256.HashData(input))[..16].ToLowerInvariant() + ".bin");
        File.WriteAllBytes(path, input);
        return path;
    }

    private static int StableHash(string s)
    {
        int h = 17;
        foreach (char c in s)
        {
            h = (h * 31) + c;
        }

        return h;
    }

    /// <summary>One to four mutations of a random seed.</summary>
    public static byte[] Mutate(Random rng, IReadOnlyList<byte[]> seeds, byte[][] tokens)
    {
        var data = new List<byte>(seeds[rng.Next(seeds.Count)]);
        int n = 1 + rng.Next(4);
        for (int m = 0; m < n; m++)
        {
            int pos = data.Count == 0 ? 0 : rng.Next(data.Count + 1);
            switch (rng.Next(10))
            {
                case 0 when data.Count > 0: // flip a bit
                    pos = Math.Min(pos, data.Count - 1);
                    data[pos] ^= (byte)(1 << rng.Next(8));
                    break;
                case 1 when data.Count > 0: // random byte
                    data[Math.Min(pos, data.Count - 1)] = (byte)rng.Next(256);
                    break;
                case 2 when data.Count > 0: // delete a range
                {
                    int len = Math.Min(data.Count - Math.Min(pos, data.Count - 1), 1 + rng.Next(rng.Next(2) == 0 ? 8 : 256));
                    data.RemoveRange(Math.Min(pos, data.Count - 1), len);
                    break;
                }

                case 3 when data.Count > 0: // duplicate a range
                {
                    int from = rng.Next(data.Count);
                    int len = Math.Min(data.Count - from, 1 + rng.Next(64));
                    data.InsertRange(pos, data.GetRange(from, len));
                    break;
                }

                case 4: // a token, sometimes many times
                {
                    byte[] t = tokens[rng.Next(tokens.Length)];
                    int times = rng.Next(8) == 0 ? 1 + rng.Next(3000) : 1;
                    for (int k = 0; k < times; k++)
                    {
                        data.InsertRange(pos, t);
                    }

                    break;
                }

                case 5 when seeds.Count > 1: // splice another seed's range in
                {
                    byte[] other = seeds[rng.Next(seeds.Count)];
                    if (other.Length > 0)
                    {
                        int from = rng.Next(other.Length);
                        int len = Math.Min(other.Length - from, 1 + rng.Next(512));
                        data.InsertRange(pos, other.AsSpan(from, len).ToArray());
                    }

                    break;
                }

                case 6 when data.Count > 0: // truncate
                    data.RemoveRange(Math.Min(pos, data.Count - 1), data.Count - Math.Min(pos, data.Count - 1));
                    break;
                case 7 when data.Count > 0: // an interesting number byte
                    data[Math.Min(pos, data.Count - 1)] = (byte)(rng.Next(3) switch { 0 => 0, 1 => 0x7F, _ => 0x80 });
                    break;
                default: // overwrite a token in place
                {
                    byte[] t = tokens[rng.Next(tokens.Length)];
                    for (int k = 0; k < t.Length && pos + k < data.Count; k++)
                    {
                        data[pos + k] = t[k];
                    }

                    break;
                }
            }
        }

        return data.ToArray();
    }
}
