using System.Text;
using System.Text.Json;
using EnvTools.Install;
using EnvTools.Packages;
using Xunit;

namespace EnvTools.Tests.Install;

public class PrefixReplacementTests
{
    private const string VectorsFile = "prefix-replacement/prefix_replacement_vectors.json";

    private static readonly Lazy<JsonDocument?> Vectors = new(() =>
    {
        string? path = ConformanceData.PathOf(VectorsFile);
        return path is not null && File.Exists(path) ? JsonDocument.Parse(File.ReadAllBytes(path)) : null;
    });

    public static IEnumerable<object[]> Cases(string section)
    {
        var doc = Vectors.Value;
        if (doc is null || !doc.RootElement.TryGetProperty(section, out var arr))
        {
            yield return new object[] { -1 };
            yield break;
        }

        for (int i = 0; i < arr.GetArrayLength(); i++)
        {
            yield return new object[] { i };
        }
    }

    public static IEnumerable<object[]> CondaBinary() => Cases("conda_binary_replace");

    public static IEnumerable<object[]> RattlerBinary() => Cases("rattler_binary_replace");

    public static IEnumerable<object[]> RattlerText() => Cases("rattler_text_replace");

    public static IEnumerable<object[]> RattlerShebang() => Cases("rattler_replace_shebang");

    public static IEnumerable<object[]> CondaLongShebang() => Cases("conda_replace_long_shebang_text_mode");

    private static JsonElement Vector(string section, int index)
    {
        Assert.True(index >= 0, $"vectors file {VectorsFile} has no section {section}");
        return Vectors.Value!.RootElement.GetProperty(section)[index];
    }

    [ConformanceTheory]
    [MemberData(nameof(CondaBinary))]
    public void CondaBinaryReplaceVectors(int index)
    {
        var v = Vector("conda_binary_replace", index);
        byte[] data = Convert.FromHexString(v.GetProperty("data_hex").GetString()!);
        byte[] ph = Convert.FromHexString(v.GetProperty("placeholder_hex").GetString()!);
        byte[] np = Convert.FromHexString(v.GetProperty("new_prefix_hex").GetString()!);
        int width = v.GetProperty("encoding").GetString() switch
        {
            "utf-8" => 1,
            "utf-16-le" or "utf-16-be" => 2,
            "utf-32-le" or "utf-32-be" => 4,
            var e => throw new InvalidOperationException($"unknown encoding {e}"),
        };
        if (v.TryGetProperty("expected_error", out _))
        {
            var ex = Assert.Throws<PrefixTooLongException>(() => PrefixReplacement.ReplaceBinary(data, ph, np, width));
            Assert.Equal("PrefixTooLong", ex.ErrorId);
        }
        else
        {
            Assert.Equal(v.GetProperty("expected_hex").GetString(), Convert.ToHexString(PrefixReplacement.ReplaceBinary(data, ph, np, width)).ToLowerInvariant());
        }
    }

    [ConformanceTheory]
    [MemberData(nameof(RattlerBinary))]
    public void RattlerBinaryReplaceVectors(int index)
    {
        var v = Vector("rattler_binary_replace", index);
        byte[] data = Convert.FromHexString(v.GetProperty("data_hex").GetString()!);
        string ph = v.GetProperty("placeholder").GetString()!;
        string np = v.GetProperty("new_prefix").GetString()!;
        if (v.TryGetProperty("expected_error", out _))
        {
            var ex = Assert.Throws<PrefixTooLongException>(() => PrefixReplacement.Replace(data, PrefixFileMode.Binary, ph, np, "linux-64"));
            Assert.Equal("PrefixTooLong", ex.ErrorId);
            Assert.Equal(ErrorKind.InvalidArgument, ex.Kind);
        }
        else
        {
            Assert.Equal(v.GetProperty("expected_hex").GetString(), Convert.ToHexString(PrefixReplacement.Replace(data, PrefixFileMode.Binary, ph, np, "linux-64")).ToLowerInvariant());
        }
    }

    [ConformanceTheory]
    [MemberData(nameof(RattlerText))]
    public void RattlerTextReplaceVectors(int index)
    {
        var v = Vector("rattler_text_replace", index);
        string ph = v.GetProperty("placeholder").GetString()!;
        string np = v.GetProperty("new_prefix").GetString()!;
        string platform = v.GetProperty("platform").GetString()!;
        byte[] input = v.TryGetProperty("input", out var inp)
            ? Encoding.UTF8.GetBytes(inp.GetString()!)
            : File.ReadAllBytes(ConformanceData.PathOf(v.GetProperty("input_file").GetString()!)!);
        string actual = Encoding.UTF8.GetString(PrefixReplacement.ReplaceText(input, ph, np, platform));
        string expected = v.TryGetProperty("expected", out var e)
            ? e.GetString()!
            : Snapshot(ConformanceData.PathOf(v.GetProperty("expected_snapshot").GetString()!)!);
        if (v.TryGetProperty("expected_snapshot", out _))
        {
            // insta trims the trailing newline of a snapshot
            actual = actual.TrimEnd('\n');
        }

        Assert.Equal(expected, actual);
    }

    [ConformanceTheory]
    [MemberData(nameof(RattlerShebang))]
    public void RattlerShebangVectors(int index)
    {
        var v = Vector("rattler_replace_shebang", index);
        string input = v.GetProperty("input").GetString()!;
        var rep = v.GetProperty("replace");
        string platform = v.GetProperty("platform").GetString()!;
        string expected = v.TryGetProperty("expected", out var e)
            ? e.GetString()!
            : Snapshot(ConformanceData.PathOf("prefix-replacement/rattler-install-snapshots/" + v.GetProperty("expected_snapshot").GetString()!)!);
        Assert.Equal(expected, PrefixReplacement.ReplaceShebang(input, rep[0].GetString()!, rep[1].GetString()!, platform));
    }

    [ConformanceTheory]
    [MemberData(nameof(CondaLongShebang))]
    public void CondaLongShebangVectors(int index)
    {
        var v = Vector("conda_replace_long_shebang_text_mode", index);
        string body = string.Join("\n", v.GetProperty("body_lines").EnumerateArray().Select(x => x.GetString()));
        byte[] data = Encoding.UTF8.GetBytes(v.GetProperty("shebang").GetString() + "\n" + body);
        byte[] expected = Encoding.UTF8.GetBytes(v.GetProperty("expected_shebang").GetString() + "\n" + body);
        Assert.Equal(expected, PrefixReplacement.ReplaceLongShebang(data, "linux-64"));
    }

    [ConformanceFact]
    public void AllVectorSectionsAreCovered()
    {
        var root = Vectors.Value!.RootElement;
        var known = new HashSet<string> { "sources", "semantics", "conda_MAX_SHEBANG_LENGTH", "conda_binary_replace", "rattler_binary_replace", "rattler_text_replace", "rattler_replace_shebang", "conda_replace_long_shebang_text_mode" };
        Assert.All(root.EnumerateObject(), p => Assert.Contains(p.Name, known));
    }

    private static string Snapshot(string path)
    {
        string text = File.ReadAllText(path).Replace("\r\n", "\n");
        // insta: "---\n<metadata>\n---\n<content>\n"
        int first = text.IndexOf("---\n", StringComparison.Ordinal);
        int second = text.IndexOf("\n---\n", first + 4, StringComparison.Ordinal);
        return text[(second + 5)..].TrimEnd('\n');
    }

    // ---- own inline cases ----

    [Fact]
    public void TextModeReplacesEveryOccurrenceAndMayGrow()
    {
        byte[] data = Encoding.UTF8.GetBytes("prefix=/opt/anaconda1anaconda2anaconda3\nlibdir=/opt/anaconda1anaconda2anaconda3/lib\n");
        byte[] result = PrefixReplacement.Replace(data, PrefixFileMode.Text, PrefixReplacement.LegacyPlaceholder, "/home/u/very/long/env/path/that/is/longer/than/the/placeholder", "linux-64");
        Assert.Equal("prefix=/home/u/very/long/env/path/that/is/longer/than/the/placeholder\nlibdir=/home/u/very/long/env/path/that/is/longer/than/the/placeholder/lib\n", Encoding.UTF8.GetString(result));
    }

    [Fact]
    public void BinaryModeKeepsLengthAndPadsEachString()
    {
        byte[] data = Encoding.ASCII.GetBytes("\x7f" + "ELF..PLACEHOLDER/lib:PLACEHOLDER/bin\0tail PLACEHOLDER\0PLACEHOLDER-without-nul");
        byte[] result = PrefixReplacement.ReplaceBinary(data, "PLACEHOLDER", "/new");
        Assert.Equal(data.Length, result.Length);
        Assert.Equal("\x7f" + "ELF../new/lib:/new/bin\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0tail /new\0\0\0\0\0\0\0\0PLACEHOLDER-without-nul", Encoding.ASCII.GetString(result));
    }

    [Fact]
    public void BinaryModeTooLongNamesBoth()
    {
        var ex = Assert.Throws<PrefixTooLongException>(() => PrefixReplacement.ReplaceBinary("x/ph/y\0"u8, "/ph", "/much/longer"));
        Assert.Equal("PrefixTooLong", ex.ErrorId);
        Assert.Contains("/much/longer", ex.Message);
        Assert.Equal("/ph", ex.Placeholder);
    }

    [Fact]
    public void BinaryModeWithoutPlaceholderIsUnchanged()
    {
        byte[] data = "abc\0def\0"u8.ToArray();
        Assert.Equal(data, PrefixReplacement.ReplaceBinary(data, "/ph", "/much/longer"));
    }

    [Fact]
    public void TextModeShortensLongShebangOnLinuxButNotOnMacOS()
    {
        string longPrefix = "/" + new string('p', 150);
        byte[] data = Encoding.UTF8.GetBytes("#!/opt/ph/bin/perl -w\nprint \"/opt/ph\";\n");
        Assert.Equal($"#!/usr/bin/env perl -w\nprint \"{longPrefix}\";\n", Encoding.UTF8.GetString(PrefixReplacement.ReplaceText(data, "/opt/ph", longPrefix, "linux-64")));
        Assert.Equal($"#!{longPrefix}/bin/perl -w\nprint \"{longPrefix}\";\n", Encoding.UTF8.GetString(PrefixReplacement.ReplaceText(data, "/opt/ph", longPrefix, "osx-arm64")));
        Assert.Equal("#!/short/bin/perl -w\nprint \"/short\";\n", Encoding.UTF8.GetString(PrefixReplacement.ReplaceText(data, "/opt/ph", "/short", "linux-64")));
    }

    [Fact]
    public void CopyWithReplacementKeepsModeAndNamesTheFileOnError()
    {
        string dir = Path.Combine(Path.GetTempPath(), "envtools-pr-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            string src = Path.Combine(dir, "tool");
            string dst = Path.Combine(dir, "tool.out");
            File.WriteAllBytes(src, "\x7fELF/opt/placeholder_long/lib\0rest"u8.ToArray());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(src, (UnixFileMode)0x1ED);
            }

            PrefixReplacement.CopyWithReplacement(src, dst, "/opt/placeholder_long", PrefixFileMode.Binary, "/env", "linux-64");
            Assert.Equal("\x7fELF/env/lib\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0rest"u8.ToArray(), File.ReadAllBytes(dst));
            Assert.Equal(new FileInfo(src).Length, new FileInfo(dst).Length);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal((UnixFileMode)0x1ED, File.GetUnixFileMode(dst));
            }

            var ex = Assert.Throws<PrefixTooLongException>(() => PrefixReplacement.CopyWithReplacement(src, dst + "2", "/opt/placeholder_long", PrefixFileMode.Binary, "/a/much/longer/environment/prefix", "linux-64"));
            Assert.Equal(src, ex.File);
            Assert.Contains(src, ex.Message);
            Assert.False(File.Exists(dst + "2"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TextModeOnWindowsWritesForwardSlashesAndLeavesShebangAlone()
    {
        byte[] data = "#!/opt/ph/bin/python\r\nset PREFIX=/opt/ph\r\n"u8.ToArray();
        Assert.Equal("#!C:/Users/me/envs/my env/bin/python\r\nset PREFIX=C:/Users/me/envs/my env\r\n", Encoding.UTF8.GetString(PrefixReplacement.ReplaceText(data, "/opt/ph", "C:\\Users\\me\\envs\\my env", "win-64")));
    }

    [Fact]
    public void TextModePythonShebangWithSpaceUsesTrampoline()
    {
        byte[] data = "#!/opt/ph/bin/python3.11\nimport sys\n"u8.ToArray();
        Assert.Equal("#!/bin/sh\n'''exec' \"/my env/bin/python3.11\" \"$0\" \"$@\" #'''\nimport sys\n", Encoding.UTF8.GetString(PrefixReplacement.ReplaceText(data, "/opt/ph", "/my env", "linux-64")));
    }
}
