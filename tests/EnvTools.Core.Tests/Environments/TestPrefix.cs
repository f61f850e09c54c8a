using System.Runtime.InteropServices;
using System.Security.Cryptography;
using EnvTools.Conda;

namespace EnvTools.Tests.Environments;

/// <summary>A real prefix on disk, laid out by hand: files with their real hashes and the conda-meta records listing them.</summary>
internal sealed class TestPrefix
{
    private readonly List<PrefixRecordPath> _paths = new();

    public TestPrefix(string prefix)
    {
        Prefix = prefix;
        Directory.CreateDirectory(Path.Combine(prefix, "conda-meta"));
    }

    public string Prefix { get; }

    public string Full(string relative) => Path.Combine(Prefix, relative.Replace('/', Path.DirectorySeparatorChar));

    /// <summary>Writes a file and remembers its paths_data entry (sha256 and size of what was written).</summary>
    public TestPrefix File(string relative, string content, string? placeholder = null, string? fileMode = null, string? sha256InPrefix = null)
    {
        string full = Full(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(content);
        System.IO.File.WriteAllBytes(full, bytes);
        _paths.Add(new PrefixRecordPath
        {
            Path = relative,
            PathType = "hardlink",
            Sha256 = Sha(bytes),
            SizeInBytes = bytes.Length,
            PrefixPlaceholder = placeholder,
            FileMode = fileMode,
            Sha256InPrefix = sha256InPrefix,
        });
        return this;
    }

    public TestPrefix Softlink(string relative, string target)
    {
        string full = Full(relative);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        System.IO.File.CreateSymbolicLink(full, target);
        _paths.Add(new PrefixRecordPath { Path = relative, PathType = "softlink" });
        return this;
    }

    /// <summary>Writes conda-meta/name-version-build.json listing the files added since the last record.</summary>
    public PrefixRecord Record(string name, string version = "1.0", string build = "0", long buildNumber = 0,
        string channel = "https://conda.anaconda.org/conda-forge/linux-64", string subdir = "linux-64", string? requestedSpec = null,
        string? sitePackagesPath = null)
    {
        var r = new PrefixRecord
        {
            Name = name,
            Version = version,
            Build = build,
            BuildNumber = buildNumber,
            Channel = channel,
            Subdir = subdir,
            Size = 1000,
            Files = _paths.Select(p => p.Path).ToArray(),
            PathsData = new PrefixRecordPathsData { PathsVersion = 1, Paths = _paths.ToArray() },
            RequestedSpec = requestedSpec,
            PythonSitePackagesPath = sitePackagesPath,
        };
        _paths.Clear();
        using (var s = System.IO.File.Create(Path.Combine(Prefix, "conda-meta", $"{name}-{version}-{build}.json")))
        {
            r.Write(s);
        }

        return r;
    }

    public static string Sha(byte[] bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    public static string Sha(string text) => Sha(System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Makes a hard link (the BCL has no API for it).</summary>
    public static void HardLink(string existing, string link)
    {
        if (OperatingSystem.IsWindows())
        {
            if (!CreateHardLinkW(link, existing, IntPtr.Zero))
            {
                throw new IOException($"CreateHardLink failed: {Marshal.GetLastPInvokeError()}");
            }
        }
        else if (LinkUnix(existing, link) != 0)
        {
            throw new IOException($"link(2) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

#pragma warning disable CA2101 // both strings are marshalled as UTF-8 explicitly (LPUTF8Str), which the rule does not recognise
    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int LinkUnix([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string link);
#pragma warning restore CA2101

    [DllImport("kernel32.dll", CharSet = CharSet.Unicode, SetLastError = true)]
    [return: MarshalAs(UnmanagedType.Bool)]
    private static extern bool CreateHardLinkW(string link, string existing, IntPtr security);
}

/// <summary>A temporary folder deleted at the end of a test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "envtools-envread-" + Guid.NewGuid().ToString("N")[..10]);

    public string Sub(params string[] parts) => System.IO.Path.Combine(new[] { Path }.Concat(parts).ToArray());

    public void Dispose()
    {
        try
        {
            MakeWritable(Path);
            Directory.Delete(Path, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static void MakeWritable(string dir)
    {
        if (OperatingSystem.IsWindows() || !Directory.Exists(dir))
        {
            return;
        }

        foreach (string d in Directory.EnumerateDirectories(dir, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true }).Prepend(dir))
        {
            try
            {
                System.IO.File.SetUnixFileMode(d, System.IO.File.GetUnixFileMode(d) | UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }
}
