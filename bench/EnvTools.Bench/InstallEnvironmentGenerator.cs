using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace EnvTools.Bench;

/// <summary>
/// Lays out a package cache of extracted packages (<c>info/index.json</c>, <c>info/paths.json</c>, the files) shaped
/// like a python + numpy + pandas environment: a few hundred packages, ~30,000 files, mostly small <c>.py</c> files,
/// some large shared libraries, headers, data files, a few symbolic links, and ~2% of files with a text prefix
/// placeholder (scripts, <c>.pc</c>, <c>.cmake</c>, <c>.la</c>: they are copied and rewritten, not linked).
/// Deterministic (seeded); generated once under bench/work.
/// </summary>
internal static class InstallEnvironmentGenerator
{
    internal const int Packages = 300;
    internal const int TargetFiles = 30_000;
    internal const string Placeholder = "/home/conda/feedstock_root/build_artifacts/placeholder_placehold_placehold";
    private const string Stamp = "generated-v3";

    /// <summary>One package of the generated cache.</summary>
    internal sealed record GeneratedPackage(string Name, string Directory, int Files, long Bytes);

    /// <summary>Generates the cache under <c>installRoot/pkgs</c> unless it is already there; returns its packages.</summary>
    internal static List<GeneratedPackage> Ensure(string installRoot)
    {
        string root = Path.Combine(installRoot, "pkgs");
        string stamp = Path.Combine(root, Stamp);
        if (!File.Exists(stamp))
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }

            Directory.CreateDirectory(root);
            Console.WriteLine($"install: generating {Packages} packages, ~{TargetFiles:N0} files in {root}");
            var list = Generate(root);
            File.WriteAllText(stamp, JsonSerializer.Serialize(list.Select(p => p with { Directory = Path.GetFileName(p.Directory) })));
        }

        // The stamp names the package folders relative to the cache, so that a copied cache is usable too.
        return JsonSerializer.Deserialize<List<GeneratedPackage>>(File.ReadAllText(stamp))!
            .Select(p => p with { Directory = Path.Combine(root, p.Directory) }).ToList();
    }

    private static List<GeneratedPackage> Generate(string root)
    {
        var rnd = new Random(20240516);

        // File counts: python itself is the big one (~7,000 files), pandas/numpy/scipy-like a few thousand, then a
        // long tail of small packages.
        var counts = new int[Packages];
        counts[0] = 7000;
        counts[1] = 3000;
        counts[2] = 2000;
        counts[3] = 1500;
        int rest = TargetFiles - counts.Take(4).Sum();
        double[] weights = Enumerable.Range(4, Packages - 4).Select(_ => Math.Exp(rnd.NextDouble() * 3.5)).ToArray();
        double wsum = weights.Sum();
        for (int i = 4; i < Packages; i++)
        {
            counts[i] = Math.Max(3, (int)(rest * weights[i - 4] / wsum));
        }

        var result = new List<GeneratedPackage>();
        byte[] noise = new byte[1 << 20];
        rnd.NextBytes(noise);
        for (int i = 0; i < Packages; i++)
        {
            string name = i switch { 0 => "python", 1 => "pandas", 2 => "numpy", 3 => "libllvm", _ => $"pkg{i:D3}" };
            string dir = Path.Combine(root, $"{name}-1.{i % 7}.0-h{i:D4}_0");
            result.Add(GeneratePackage(rnd, noise, name, dir, counts[i], i));
        }

        return result;
    }

    private static GeneratedPackage GeneratePackage(Random rnd, byte[] noise, string name, string dir, int count, int index)
    {
        Directory.CreateDirectory(Path.Combine(dir, "info"));
        string site = $"lib/python3.11/site-packages/{name}";
        var paths = new List<Dictionary<string, object>>(count);
        long bytes = 0;
        int subdirs = Math.Max(1, count / 25);
        for (int f = 0; f < count; f++)
        {
            double kind = rnd.NextDouble();
            string rel;
            byte[] content;
            string? placeholder = null;
            int mode = 0b110_100_100;
            if (kind < 0.02)
            {
                // text placeholder: a script, a pkg-config or cmake file naming the build prefix
                rel = (f % 3) switch
                {
                    0 => $"bin/{name}-tool{f}",
                    1 => $"lib/pkgconfig/{name}{f}.pc",
                    _ => $"lib/cmake/{name}/{name}Config{f}.cmake",
                };
                var sb = new StringBuilder();
                sb.Append("#!").Append(Placeholder).Append("/bin/python3.11\n");
                int lines = 10 + rnd.Next(200);
                for (int l = 0; l < lines; l++)
                {
                    sb.Append("prefix=").Append(Placeholder).Append(" # line ").Append(l).Append(' ').Append(Convert.ToHexString(noise, l * 16 % (noise.Length - 16), 16)).Append('\n');
                }

                content = Encoding.UTF8.GetBytes(sb.ToString());
                placeholder = Placeholder;
                mode = 0b111_101_101;
            }
            else if (kind < 0.025 && f > 0)
            {
                // symbolic link to an earlier file of the package, as libfoo.so -> libfoo.so.1.2
                var target = paths[rnd.Next(paths.Count)];
                if ((string)target["path_type"] != "hardlink")
                {
                    f--;
                    continue;
                }

                string targetRel = (string)target["_path"];
                rel = targetRel + ".link" + f.ToString(CultureInfo.InvariantCulture);
                string full = Path.Combine(dir, rel);
                File.CreateSymbolicLink(full, Path.GetFileName(targetRel));
                paths.Add(new Dictionary<string, object> { ["_path"] = rel, ["path_type"] = "softlink", ["sha256"] = Hex(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFileName(targetRel)))), ["size_in_bytes"] = 0 });
                continue;
            }
            else if (kind < 0.075)
            {
                // shared library: lognormal around 60 KB, a few of tens of MB
                rel = index == 0 && f % 2 == 0 ? $"lib/python3.11/lib-dynload/_mod{f}.cpython-311-x86_64-linux-gnu.so" : $"{site}/_lib{f % subdirs}/_ext{f}.cpython-311-x86_64-linux-gnu.so";
                content = Bytes(noise, rnd, LogNormal(rnd, 60_000, 1.3, 40_000_000));
                mode = 0b111_101_101;
            }
            else if (kind < 0.115)
            {
                rel = $"include/{name}/sub{f % 5}/h{f}.h";
                content = Bytes(noise, rnd, LogNormal(rnd, 6_000, 1.0, 400_000));
            }
            else if (kind < 0.20)
            {
                rel = $"{site}/data{f % subdirs}/file{f}.{(f % 2 == 0 ? "json" : "txt")}";
                content = Bytes(noise, rnd, LogNormal(rnd, 2_000, 1.5, 2_000_000));
            }
            else
            {
                rel = index == 0 ? $"lib/python3.11/mod{f % subdirs}/m{f}.py" : $"{site}/sub{f % subdirs}/m{f}.py";
                content = Bytes(noise, rnd, LogNormal(rnd, 3_500, 1.1, 600_000));
            }

            string path = Path.Combine(dir, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, content);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, (UnixFileMode)mode);
            }
            bytes += content.Length;
            var entry = new Dictionary<string, object>
            {
                ["_path"] = rel,
                ["path_type"] = "hardlink",
                ["sha256"] = Hex(SHA256.HashData(content)),
                ["size_in_bytes"] = content.Length,
            };
            if (placeholder is not null)
            {
                entry["prefix_placeholder"] = placeholder;
                entry["file_mode"] = "text";
            }

            paths.Add(entry);
        }

        var indexJson = new Dictionary<string, object>
        {
            ["name"] = name,
            ["version"] = $"1.{index % 7}.0",
            ["build"] = $"h{index:D4}_0",
            ["build_number"] = 0,
            ["depends"] = index == 0 ? Array.Empty<string>() : new[] { "python >=3.11,<3.12" },
            ["subdir"] = "linux-64",
            ["license"] = "BSD-3-Clause",
            ["timestamp"] = 1715800000000L + index,
        };
        File.WriteAllText(Path.Combine(dir, "info", "index.json"), JsonSerializer.Serialize(indexJson));
        File.WriteAllText(Path.Combine(dir, "info", "paths.json"), JsonSerializer.Serialize(new Dictionary<string, object> { ["paths"] = paths, ["paths_version"] = 1 }));
        return new GeneratedPackage(name, dir, paths.Count, bytes);
    }

    private static int LogNormal(Random rnd, double median, double sigma, int max)
    {
        double u1 = 1.0 - rnd.NextDouble();
        double u2 = rnd.NextDouble();
        double z = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        return (int)Math.Clamp(median * Math.Exp(sigma * z), 64, max);
    }

    private static byte[] Bytes(byte[] noise, Random rnd, int size)
    {
        var b = new byte[size];
        for (int o = 0; o < size; o += noise.Length)
        {
            int n = Math.Min(noise.Length, size - o);
            int start = rnd.Next(noise.Length - n + 1);
            noise.AsSpan(start, n).CopyTo(b.AsSpan(o));
        }

        b[0] = (byte)rnd.Next(256); // distinct content per file
        return b;
    }

    private static string Hex(byte[] hash) => Convert.ToHexString(hash).ToLowerInvariant();
}
