using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace EnvTools.Conda;

/// <summary>
/// A conda platform (a channel "subdir"), such as <c>linux-64</c>, <c>osx-arm64</c>, <c>win-64</c> or
/// <c>noarch</c>. An immutable value; <see cref="Os"/> and <see cref="Arch"/> are the values conda
/// writes in the <c>platform</c> and <c>arch</c> fields of a record.
/// </summary>
public readonly struct Platform : IEquatable<Platform>
{
    private readonly byte _index; // 1-based into Table; 0 = default(Platform) = noarch

    private Platform(int index) => _index = (byte)index;

    private sealed record Info(string Name, string? Os, string? Arch);

    private static readonly Info[] Table =
    [
        new("noarch", null, null),
        new("linux-32", "linux", "x86"),
        new("linux-64", "linux", "x86_64"),
        new("linux-aarch64", "linux", "aarch64"),
        new("linux-armv6l", "linux", "armv6l"),
        new("linux-armv7l", "linux", "armv7l"),
        new("linux-ppc64", "linux", "ppc64"),
        new("linux-ppc64le", "linux", "ppc64le"),
        new("linux-s390x", "linux", "s390x"),
        new("linux-riscv64", "linux", "riscv64"),
        new("osx-64", "osx", "x86_64"),
        new("osx-arm64", "osx", "arm64"),
        new("win-32", "win", "x86"),
        new("win-64", "win", "x86_64"),
        new("win-arm64", "win", "arm64"),
        new("emscripten-wasm32", "emscripten", "wasm32"),
        new("wasi-wasm32", "wasi", "wasm32"),
        new("zos-z", "zos", "z"),
    ];

    private Info Data => Table[_index == 0 ? 0 : _index - 1];

    /// <summary><c>noarch</c>: packages that install on every platform.</summary>
    public static Platform NoArch => new(1);
    /// <summary><c>linux-32</c>.</summary>
    public static Platform Linux32 => new(2);
    /// <summary><c>linux-64</c>.</summary>
    public static Platform Linux64 => new(3);
    /// <summary><c>linux-aarch64</c>.</summary>
    public static Platform LinuxAarch64 => new(4);
    /// <summary><c>linux-armv6l</c>.</summary>
    public static Platform LinuxArmV6l => new(5);
    /// <summary><c>linux-armv7l</c>.</summary>
    public static Platform LinuxArmV7l => new(6);
    /// <summary><c>linux-ppc64</c>.</summary>
    public static Platform LinuxPpc64 => new(7);
    /// <summary><c>linux-ppc64le</c>.</summary>
    public static Platform LinuxPpc64le => new(8);
    /// <summary><c>linux-s390x</c>.</summary>
    public static Platform LinuxS390x => new(9);
    /// <summary><c>linux-riscv64</c>.</summary>
    public static Platform LinuxRiscv64 => new(10);
    /// <summary><c>osx-64</c>.</summary>
    public static Platform Osx64 => new(11);
    /// <summary><c>osx-arm64</c>.</summary>
    public static Platform OsxArm64 => new(12);
    /// <summary><c>win-32</c>.</summary>
    public static Platform Win32 => new(13);
    /// <summary><c>win-64</c>.</summary>
    public static Platform Win64 => new(14);
    /// <summary><c>win-arm64</c>.</summary>
    public static Platform WinArm64 => new(15);
    /// <summary><c>emscripten-wasm32</c>.</summary>
    public static Platform EmscriptenWasm32 => new(16);
    /// <summary><c>wasi-wasm32</c>.</summary>
    public static Platform WasiWasm32 => new(17);
    /// <summary><c>zos-z</c>.</summary>
    public static Platform ZosZ => new(18);

    /// <summary>Every platform conda knows, <c>noarch</c> first.</summary>
    public static IReadOnlyList<Platform> All { get; } = Enumerable.Range(1, Table.Length).Select(i => new Platform(i)).ToArray();

    /// <summary>The subdir name, e.g. <c>linux-64</c>.</summary>
    public string Name => Data.Name;

    /// <summary>The operating system as conda writes it in a record's <c>platform</c> field
    /// (<c>linux</c>, <c>osx</c>, <c>win</c>, <c>zos</c>, <c>emscripten</c>, <c>wasi</c>); null for noarch.</summary>
    public string? Os => Data.Os;

    /// <summary>The architecture as conda writes it in a record's <c>arch</c> field
    /// (<c>x86_64</c>, <c>x86</c>, <c>aarch64</c>, <c>arm64</c>, <c>ppc64le</c> …); null for noarch.</summary>
    public string? Arch => Data.Arch;

    /// <summary>True for <c>noarch</c>.</summary>
    public bool IsNoArch => Data.Os is null;

    /// <summary>True for Linux platforms.</summary>
    public bool IsLinux => Data.Os == "linux";

    /// <summary>True for macOS platforms.</summary>
    public bool IsOsx => Data.Os == "osx";

    /// <summary>True for Windows platforms.</summary>
    public bool IsWindows => Data.Os == "win";

    /// <summary>True for the Unix-like platforms (Linux, macOS, z/OS): those with the <c>__unix</c> virtual package.</summary>
    public bool IsUnix => Data.Os is "linux" or "osx" or "zos";

    /// <summary>The platform of the machine this process runs on.</summary>
    public static Platform Current { get; } = DetectCurrent();

    /// <summary>Parses a subdir name (case-sensitive, as conda writes it).</summary>
    /// <exception cref="ArgumentException">The name is not a known conda platform.</exception>
    public static Platform Parse(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return TryParse(name, out Platform p) ? p : throw new ArgumentException($"'{name}' is not a known conda platform.", nameof(name));
    }

    /// <summary>Parses a subdir name; false when it is not a known conda platform.</summary>
    public static bool TryParse([NotNullWhen(true)] string? name, out Platform platform)
    {
        if (name is not null)
        {
            for (int i = 0; i < Table.Length; i++)
            {
                if (Table[i].Name == name)
                {
                    platform = new Platform(i + 1);
                    return true;
                }
            }
        }

        platform = default;
        return false;
    }

    /// <summary>Returns <see cref="Name"/>.</summary>
    public override string ToString() => Name;

    /// <inheritdoc/>
    public bool Equals(Platform other) => Data == other.Data;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Platform p && Equals(p);

    /// <inheritdoc/>
    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);

    /// <summary>Equality.</summary>
    public static bool operator ==(Platform left, Platform right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(Platform left, Platform right) => !left.Equals(right);

    private static Platform DetectCurrent()
    {
        Architecture arch = RuntimeInformation.OSArchitecture;
        if (OperatingSystem.IsWindows())
        {
            return arch switch { Architecture.X86 => Win32, Architecture.Arm64 => WinArm64, _ => Win64 };
        }

        if (OperatingSystem.IsMacOS())
        {
            return arch == Architecture.Arm64 ? OsxArm64 : Osx64;
        }

        if (OperatingSystem.IsBrowser())
        {
            return EmscriptenWasm32;
        }

        if (OperatingSystem.IsWasi())
        {
            return WasiWasm32;
        }

        return arch switch
        {
            Architecture.X86 => Linux32,
            Architecture.Arm64 => LinuxAarch64,
            Architecture.Arm or Architecture.Armv6 => arch == Architecture.Armv6 ? LinuxArmV6l : LinuxArmV7l,
            Architecture.Ppc64le => LinuxPpc64le,
            Architecture.S390x => LinuxS390x,
            _ when arch.ToString() == "RiscV64" => LinuxRiscv64,
            _ => Linux64,
        };
    }
}

/// <summary>A platform name (subdir) conda does not know, with the closest known one when there is one.</summary>
public sealed class UnknownPlatformException : EnvToolsException
{
    /// <summary>Creates the error for <paramref name="name"/>.</summary>
    public UnknownPlatformException(string name)
        : this(name, Closest(name))
    {
    }

    private UnknownPlatformException(string name, string? suggestion)
        : base("UnknownPlatform", ErrorKind.InvalidArgument,
            $"'{name}' is not a known conda platform{(suggestion is null ? string.Empty : $"; did you mean {suggestion}?")} Known platforms: {string.Join(", ", Platform.All.Select(p => p.Name))}.",
            name)
    {
        Suggestion = suggestion;
    }

    /// <summary>The closest known platform name (at most two edits away, case and separators aside), or null.</summary>
    public string? Suggestion { get; }

    private static string? Closest(string name)
    {
        string bare = Bare(name);
        return Platform.All.Select(p => (p.Name, Distance: TextDistance.EditDistance(bare, Bare(p.Name))))
            .Where(x => x.Distance <= 2).OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal).Select(x => x.Name).FirstOrDefault();
    }

    private static string Bare(string s) => new(s.Where(c => c is not ('-' or '_' or ' ')).ToArray());
}
