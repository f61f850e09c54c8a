using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using EnvTools.Environments;
using EnvTools.Tests.Environments;
using Xunit;

namespace EnvTools.Tests.Windows;

/// <summary>
/// Issue 17 behaviour 11: files written on Windows (CRLF line ends, a UTF-8 byte order mark) read exactly as their LF
/// twins: every environment, explicit and lock file of the conformance data, conda's and mamba's history files, and
/// .condarc files.
/// </summary>
public sealed class CrlfBomConformanceTests
{
    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonSerializerOptions Dump = new()
    {
        ReferenceHandler = ReferenceHandler.IgnoreCycles,
        WriteIndented = true,
        IncludeFields = false,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>The file's LF text written twice with its own name: as LF without a BOM, and as CRLF with one.</summary>
    internal static (string Lf, string CrlfBom, string Root) Twins(string path, Func<string, string>? rename = null)
    {
        string text = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        string root = Path.Combine(Path.GetTempPath(), "envtools-crlf-" + Guid.NewGuid().ToString("N")[..10]);
        string name = rename?.Invoke(Path.GetFileName(path)) ?? Path.GetFileName(path);
        string lf = Path.Combine(root, "lf", name);
        string crlf = Path.Combine(root, "crlf", name);
        Directory.CreateDirectory(Path.GetDirectoryName(lf)!);
        Directory.CreateDirectory(Path.GetDirectoryName(crlf)!);
        Write(lf, Encoding.UTF8.GetBytes(text));
        Write(crlf, Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(text.Replace("\n", "\r\n", StringComparison.Ordinal))).ToArray());
        return (lf, crlf, root);
    }

    /// <summary>Writes the file in 64 KiB pieces and checks it reads back: under Wine 10 a 1.6 MB file written by one
    /// File.WriteAllBytes (preallocated, one WriteFile) read back with a run of NULs in it.</summary>
    private static void Write(string path, byte[] bytes)
    {
        using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
        {
            for (int at = 0; at < bytes.Length; at += 1 << 16)
            {
                fs.Write(bytes, at, Math.Min(1 << 16, bytes.Length - at));
            }
        }

        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    /// <summary>What a parse gave (the object as JSON, or the error's type, id, line and message), with the folder taken out.</summary>
    private static string Outcome(Func<object> parse, string folder)
    {
        string text;
        try
        {
            text = JsonSerializer.Serialize(parse(), Dump);
        }
        catch (EnvToolsException ex)
        {
            text = $"{ex.GetType().Name} {ex.ErrorId} {(ex as InvalidEnvironmentFileException)?.Line} {ex.Message}";
        }

        // the folder as written in JSON too: on Windows its backslashes are escaped there
        string inJson = JsonSerializer.Serialize(folder)[1..^1];
        return text.Replace(inJson, "<dir>", StringComparison.Ordinal).Replace(folder, "<dir>", StringComparison.Ordinal);
    }

    [ConformanceTheory]
    [MemberData(nameof(EnvFilesConformanceTests.Files), MemberType = typeof(EnvFilesConformanceTests))]
    public void Every_environment_explicit_and_lock_file_reads_the_same_with_CRLF_and_a_BOM(string relative)
    {
        var (lf, crlf, root) = Twins(ConformanceData.PathOf("envfiles/" + relative)!);
        try
        {
            EnvironmentFileKind kind = EnvironmentFiles.Detect(lf);
            Assert.Equal(kind, EnvironmentFiles.Detect(crlf));
            Func<string, object> parse = kind switch
            {
                EnvironmentFileKind.Explicit => p => ExplicitFile.Load(p),
                EnvironmentFileKind.CondaLock => p => CondaLockFile.Load(p),
                EnvironmentFileKind.PixiLock => p => PixiLockFile.Load(p),
                EnvironmentFileKind.MambaJsLock => p => MambaJsLockFile.Load(p),
                EnvironmentFileKind.EnvironmentYaml => p => EnvironmentFile.Load(p, _ => null),
                _ => p => SpecListFile.Load(p),
            };
            string expected = Outcome(() => parse(lf), Path.GetDirectoryName(lf)!);
            Assert.True(expected.Length > 40, expected); // the parse's content, not an empty object
            string actual = Outcome(() => parse(crlf), Path.GetDirectoryName(crlf)!);
            if (expected != actual && TestPlatform.IsWine)
            {
                // Wine 10 once handed a parse a truncated read of a 1.5 MB file it had just read back whole (the lane's
                // only failure in a run): parse both again. The parse is deterministic, so a real CRLF/BOM difference
                // shows again; a flaky read does not.
                expected = Outcome(() => parse(lf), Path.GetDirectoryName(lf)!);
                actual = Outcome(() => parse(crlf), Path.GetDirectoryName(crlf)!);
            }

            Assert.True(expected.StartsWith('{') == actual.StartsWith('{'), $"LF: {expected[..Math.Min(400, expected.Length)]}\nCRLF: {actual[..Math.Min(400, actual.Length)]}");
            Assert.Equal(expected, actual);
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    public static IEnumerable<object[]> Histories()
    {
        string? root = ConformanceData.PathOf("prefix-records");
        if (root is null || !Directory.Exists(root))
        {
            yield return new object[] { "(conformance data missing)" };
            yield break;
        }

        foreach (string path in Directory.EnumerateFiles(root, "history", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            yield return new object[] { Path.GetRelativePath(root, path).Replace('\\', '/') };
        }
    }

    [ConformanceTheory]
    [MemberData(nameof(Histories))]
    public void Every_history_file_reads_the_same_with_CRLF_and_a_BOM(string relative)
    {
        var (lf, crlf, root) = Twins(ConformanceData.PathOf("prefix-records/" + relative)!);
        try
        {
            string expected = Outcome(() => PrefixHistory.Load(lf), root);
            Assert.Contains("\"Revisions\"", expected, StringComparison.Ordinal);
            Assert.Equal(expected, Outcome(() => PrefixHistory.Load(crlf), root));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    [Fact]
    public void A_condarc_reads_the_same_with_CRLF_and_a_BOM()
    {
        const string condarc = """
            # written by Notepad
            channels:  #!final
              - conda-forge
              - "defaults"
            channel_alias: https://example.invalid/conda
            custom_channels:
              internal: https://internal.example.invalid/channels
            envs_dirs: [~/envs, 'D:\envs']
            ssl_verify: false
            always_yes: true  #!top
            pinned_packages: |
              numpy<2
              python=3.11
            """;
        string root = Path.Combine(Path.GetTempPath(), "envtools-crlf-" + Guid.NewGuid().ToString("N")[..10]);
        try
        {
            string lf = Path.Combine(root, "lf", ".condarc");
            string crlf = Path.Combine(root, "crlf", ".condarc");
            Directory.CreateDirectory(Path.GetDirectoryName(lf)!);
            Directory.CreateDirectory(Path.GetDirectoryName(crlf)!);
            File.WriteAllBytes(lf, Encoding.UTF8.GetBytes(condarc.ReplaceLineEndings("\n") + "\n"));
            File.WriteAllBytes(crlf, Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(condarc.ReplaceLineEndings("\r\n") + "\r\n")).ToArray());
            string expected = Describe(EnvTools.Config.CondarcReader.Read(lf).Entries);
            Assert.Contains("pinned_packages@11=\"numpy<2\\npython=3.11\\n\"", expected, StringComparison.Ordinal); // the block scalar, LF only
            Assert.Contains("channels@2#Final=[@3=\"conda-forge\",@4=\"defaults\"]", expected, StringComparison.Ordinal);
            Assert.Equal(expected, Describe(EnvTools.Config.CondarcReader.Read(crlf).Entries));
        }
        finally
        {
            Directory.Delete(root, true);
        }
    }

    /// <summary>Every key and value of a .condarc as read: <c>key@line#flag=value</c>, nested.</summary>
    private static string Describe(IEnumerable<KeyValuePair<string, EnvTools.Config.RawNode>> entries) =>
        string.Join(";", entries.Select(e => $"{e.Key}{Describe(e.Value)}"));

    private static string Describe(EnvTools.Config.RawNode node)
    {
        string head = $"@{node.Source.Line}" + (node.Flag == EnvTools.Config.ConfigFlag.None ? string.Empty : "#" + node.Flag);
        return head + node switch
        {
            EnvTools.Config.RawScalar s => "=" + (s.Text is null ? "null" : JsonSerializer.Serialize(s.Text, Relaxed)),
            EnvTools.Config.RawSequence q => "=[" + string.Join(",", q.Items.Select(Describe)) + "]",
            EnvTools.Config.RawMap m => "={" + Describe(m.Entries) + "}",
            _ => "?",
        };
    }
}
