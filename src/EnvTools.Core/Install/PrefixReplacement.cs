using System.Text;
using System.Text.RegularExpressions;
using EnvTools.Packages;

namespace EnvTools.Install;

/// <summary>The new prefix does not fit in the space of a binary placeholder.</summary>
public sealed class PrefixTooLongException : EnvToolsException
{
    /// <summary>Creates the error.</summary>
    public PrefixTooLongException(string placeholder, string newPrefix, string? file = null)
        : base(
            "PrefixTooLong",
            ErrorKind.InvalidArgument,
            $"The prefix '{newPrefix}' ({Encoding.UTF8.GetByteCount(newPrefix)} bytes) is longer than the placeholder '{placeholder}' ({Encoding.UTF8.GetByteCount(placeholder)} bytes)"
                + (file is null ? string.Empty : $" in the binary file '{file}'") + "; choose a shorter environment path.",
            file ?? newPrefix)
    {
        Placeholder = placeholder;
        NewPrefix = newPrefix;
        File = file;
    }

    /// <summary>The placeholder stored in the package.</summary>
    public string Placeholder { get; }

    /// <summary>The prefix that did not fit.</summary>
    public string NewPrefix { get; }

    /// <summary>The file being rewritten, when known.</summary>
    public string? File { get; }
}

/// <summary>
/// Rewrites the prefix placeholder of a package file for its new environment, byte-exactly as conda and
/// rattler do: text mode replaces every occurrence (and fixes the shebang), binary mode rewrites inside
/// NUL-terminated strings and pads with NULs so the file keeps its length.
/// </summary>
public static partial class PrefixReplacement
{
    /// <summary>conda's legacy placeholder (<c>info/has_prefix</c> lines without a placeholder).</summary>
    public const string LegacyPlaceholder = PackageArchive.LegacyPlaceholder;

    /// <summary>Linux's limit on a shebang line (conda's MAX_SHEBANG_LENGTH on Linux).</summary>
    public const int MaxShebangLengthLinux = 127;

    /// <summary>macOS's limit on a shebang line.</summary>
    public const int MaxShebangLengthMacOS = 512;

    /// <summary>Replaces the placeholder in <paramref name="data"/> according to <paramref name="mode"/>.</summary>
    /// <param name="data">The file's content.</param>
    /// <param name="mode">Text or binary.</param>
    /// <param name="placeholder">The placeholder (UTF-8).</param>
    /// <param name="newPrefix">The environment's prefix (UTF-8).</param>
    /// <param name="platform">The target subdir, e.g. <c>linux-64</c>, <c>osx-arm64</c>, <c>win-64</c>.</param>
    /// <exception cref="PrefixTooLongException">Binary mode and the new prefix is longer than the placeholder.</exception>
    public static byte[] Replace(ReadOnlySpan<byte> data, PrefixFileMode mode, string placeholder, string newPrefix, string platform) =>
        mode == PrefixFileMode.Binary
            ? IsWindows(platform) ? ReplaceWindowsBinary(data, placeholder, newPrefix) : ReplaceBinary(data, placeholder, newPrefix)
            : ReplaceText(data, placeholder, newPrefix, platform);

    /// <summary>
    /// Binary mode for a win-* target, as conda and rattler do it: binaries are left as they are (rewriting them breaks
    /// Authenticode signatures, and a short legacy placeholder would refuse most prefixes), except a distlib/pyzzer entry
    /// point (a launcher, a <c>#!</c> line, then a zip archive), whose <c>#!</c> line gets the new prefix; it may grow,
    /// since nothing after it is addressed from the start of the file.
    /// </summary>
    public static byte[] ReplaceWindowsBinary(ReadOnlySpan<byte> data, string placeholder, string newPrefix)
    {
        ArgumentNullException.ThrowIfNull(placeholder);
        ArgumentNullException.ThrowIfNull(newPrefix);
        int end = data.LastIndexOf("PK\x05\x06"u8); // the zip's end-of-central-directory record
        if (end < 0 || end + 20 > data.Length || placeholder.Length == 0)
        {
            return data.ToArray();
        }

        long directorySize = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[(end + 12)..]);
        long directoryOffset = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(data[(end + 16)..]);
        long archive = end - directorySize - directoryOffset; // where the zip starts in the file
        if (archive <= 0)
        {
            return data.ToArray();
        }

        int shebang = data[..(int)archive].LastIndexOf("#!"u8);
        if (shebang <= 0)
        {
            return data.ToArray(); // no #! line, or no launcher before it
        }

        var output = new MemoryStream(data.Length + 64);
        output.Write(data[..shebang]);
        ReplaceAll(data[shebang..(int)archive], Encoding.UTF8.GetBytes(placeholder), Encoding.UTF8.GetBytes(newPrefix), output);
        output.Write(data[(int)archive..]);
        return output.ToArray();
    }

    /// <summary>
    /// Writes <paramref name="destinationFile"/> as <paramref name="sourceFile"/> with its placeholder replaced,
    /// keeping the source's Unix file mode (a link step: the cache file is never modified).
    /// </summary>
    /// <exception cref="PrefixTooLongException">Binary mode and the new prefix does not fit; names the file.</exception>
    public static void CopyWithReplacement(string sourceFile, string destinationFile, string placeholder, PrefixFileMode mode, string newPrefix, string platform)
    {
        byte[] data = System.IO.File.ReadAllBytes(sourceFile);
        byte[] replaced;
        try
        {
            replaced = Replace(data, mode, placeholder, newPrefix, platform);
        }
        catch (PrefixTooLongException)
        {
            throw new PrefixTooLongException(placeholder, newPrefix, sourceFile);
        }

        System.IO.File.WriteAllBytes(destinationFile, replaced);
        if (!OperatingSystem.IsWindows())
        {
            System.IO.File.SetUnixFileMode(destinationFile, System.IO.File.GetUnixFileMode(sourceFile));
        }
    }

    /// <summary>
    /// Text mode: every occurrence of the placeholder becomes the new prefix (the file may grow). A <c>#!</c>
    /// first line is rewritten with <see cref="ReplaceShebang"/> (not on Windows). For a Windows target the new
    /// prefix is written with forward slashes, as conda does (no backslash escaping problems in scripts).
    /// </summary>
    public static byte[] ReplaceText(ReadOnlySpan<byte> data, string placeholder, string newPrefix, string platform)
    {
        ArgumentNullException.ThrowIfNull(placeholder);
        ArgumentNullException.ThrowIfNull(newPrefix);
        if (IsWindows(platform))
        {
            newPrefix = newPrefix.Replace('\\', '/');
        }

        var output = new MemoryStream(data.Length + 64);
        if (data.StartsWith("#!"u8) && !IsWindows(platform))
        {
            int nl = data.IndexOf((byte)'\n');
            var first = nl < 0 ? data : data[..nl];
            string? line = TryDecodeUtf8(first);
            if (line is not null)
            {
                output.Write(Encoding.UTF8.GetBytes(ReplaceShebang(line, placeholder, newPrefix, platform)));
                data = nl < 0 ? ReadOnlySpan<byte>.Empty : data[nl..];
            }
        }

        ReplaceAll(data, Encoding.UTF8.GetBytes(placeholder), Encoding.UTF8.GetBytes(newPrefix), output);
        return output.ToArray();
    }

    /// <summary>Binary mode with UTF-8 strings; see <see cref="ReplaceBinary(ReadOnlySpan{byte}, ReadOnlySpan{byte}, ReadOnlySpan{byte}, int)"/>.</summary>
    public static byte[] ReplaceBinary(ReadOnlySpan<byte> data, string placeholder, string newPrefix)
    {
        try
        {
            return ReplaceBinary(data, Encoding.UTF8.GetBytes(placeholder), Encoding.UTF8.GetBytes(newPrefix));
        }
        catch (PrefixTooLongException)
        {
            throw new PrefixTooLongException(placeholder, newPrefix);
        }
    }

    /// <summary>
    /// conda's <c>binary_replace</c>: from each occurrence of the placeholder up to the end of its
    /// NUL-terminated string (the first run of <paramref name="nulWidth"/> zero bytes: 1 for UTF-8, 2 for
    /// UTF-16, 4 for UTF-32), every occurrence is replaced, the rest of the string shifts left and NUL bytes
    /// pad it so the total length is unchanged. A placeholder with no terminator after it is left alone.
    /// </summary>
    /// <exception cref="PrefixTooLongException">The new prefix is longer than the placeholder (and would have to be written).</exception>
    public static byte[] ReplaceBinary(ReadOnlySpan<byte> data, ReadOnlySpan<byte> placeholder, ReadOnlySpan<byte> newPrefix, int nulWidth = 1)
    {
        if (placeholder.IsEmpty)
        {
            throw new ArgumentException("The placeholder is empty.", nameof(placeholder));
        }

        if (nulWidth is not (1 or 2 or 4))
        {
            throw new ArgumentOutOfRangeException(nameof(nulWidth));
        }

        ReadOnlySpan<byte> zeros = stackalloc byte[nulWidth];
        var result = new byte[data.Length];
        int src = 0, dst = 0;
        while (src < data.Length)
        {
            int idx = data[src..].IndexOf(placeholder);
            if (idx < 0)
            {
                break;
            }

            int start = src + idx;
            int termRel = data[(start + placeholder.Length)..].IndexOf(zeros);
            if (termRel < 0)
            {
                break; // no terminator: conda's pattern does not match, nothing more is replaced
            }

            int end = start + placeholder.Length + termRel + nulWidth; // exclusive, terminator included
            data[src..start].CopyTo(result.AsSpan(dst));
            dst += start - src;

            var segment = data[start..end];
            int count = 0;
            int p = 0;
            while (p < segment.Length)
            {
                int k = segment[p..].IndexOf(placeholder);
                if (k < 0)
                {
                    segment[p..].CopyTo(result.AsSpan(dst));
                    dst += segment.Length - p;
                    break;
                }

                count++;
                if (newPrefix.Length > placeholder.Length)
                {
                    throw new PrefixTooLongException(Encoding.UTF8.GetString(placeholder), Encoding.UTF8.GetString(newPrefix));
                }

                segment.Slice(p, k).CopyTo(result.AsSpan(dst));
                dst += k;
                newPrefix.CopyTo(result.AsSpan(dst));
                dst += newPrefix.Length;
                p += k + placeholder.Length;
            }

            dst += (placeholder.Length - newPrefix.Length) * count; // result is zero-initialised: the padding
            src = end;
        }

        data[src..].CopyTo(result.AsSpan(dst));
        return result;
    }

    /// <summary>
    /// Rewrites a shebang line (without its newline) for the new prefix, as rattler does: when the new prefix
    /// holds a space, or the result is longer than the kernel allows (127 bytes on Linux, 512 on macOS), or
    /// (as conda checks) the interpreter's folder holds an escaped space, the line becomes
    /// <c>#!/usr/bin/env &lt;exe&gt; &lt;args&gt;</c>; a python interpreter gets the
    /// <c>#!/bin/sh</c> + <c>'''exec'</c> trampoline instead, which keeps the exact interpreter.
    /// </summary>
    public static string ReplaceShebang(string shebang, string placeholder, string newPrefix, string platform)
    {
        ArgumentNullException.ThrowIfNull(shebang);
        if (!shebang.StartsWith("#!", StringComparison.Ordinal))
        {
            return shebang;
        }

        if (newPrefix.Contains(' '))
        {
            if (placeholder.Length == 0 || !shebang.Contains(placeholder, StringComparison.Ordinal))
            {
                return shebang;
            }

            return ConvertToEnv(shebang).Replace(placeholder, newPrefix, StringComparison.Ordinal);
        }

        string replaced = placeholder.Length == 0 ? shebang : shebang.Replace(placeholder, newPrefix, StringComparison.Ordinal);
        int bytes = Encoding.UTF8.GetByteCount(replaced);
        if ((IsLinux(platform) && bytes > MaxShebangLengthLinux) || (IsMacOS(platform) && bytes > MaxShebangLengthMacOS))
        {
            return ConvertToEnv(replaced);
        }

        var m = ShebangRegex().Match(replaced);
        if (m.Success && !IsWindows(platform))
        {
            string exe = m.Groups[2].Value;
            int slash = exe.LastIndexOf('/');
            if (slash > 0 && exe[..slash].Contains("\\ ", StringComparison.Ordinal))
            {
                return ConvertToEnv(replaced);
            }
        }

        return replaced;
    }

    /// <summary>
    /// conda's <c>replace_long_shebang</c> for a text file whose placeholder was already replaced: a first
    /// line <c>#!…</c> longer than the platform's limit (127 bytes on Linux, 512 elsewhere) or whose
    /// interpreter folder holds an escaped space becomes <c>#!/usr/bin/env &lt;exe&gt;&lt;args&gt;</c>.
    /// </summary>
    public static byte[] ReplaceLongShebang(ReadOnlySpan<byte> data, string platform)
    {
        if (!data.StartsWith("#!"u8))
        {
            return data.ToArray();
        }

        int nl = data.IndexOf((byte)'\n');
        var first = nl < 0 ? data : data[..nl];
        string? line = TryDecodeUtf8(first);
        if (line is null)
        {
            return data.ToArray();
        }

        var m = ShebangRegex().Match(line);
        if (!m.Success)
        {
            return data.ToArray();
        }

        string exe = m.Groups[2].Value;
        int slash = exe.LastIndexOf('/');
        string folder = exe[..slash];
        string name = exe[(slash + 1)..];
        int max = IsLinux(platform) ? MaxShebangLengthLinux : MaxShebangLengthMacOS;
        if (first.Length <= max && !folder.Contains("\\ ", StringComparison.Ordinal))
        {
            return data.ToArray();
        }

        var output = new MemoryStream(data.Length);
        output.Write(Encoding.UTF8.GetBytes($"#!/usr/bin/env {name}{m.Groups[3].Value}"));
        output.Write(nl < 0 ? ReadOnlySpan<byte>.Empty : data[nl..]);
        return output.ToArray();
    }

    private static string ConvertToEnv(string shebang)
    {
        var m = ShebangRegex().Match(shebang);
        if (!m.Success)
        {
            return shebang;
        }

        string path = m.Groups[2].Value;
        int slash = path.LastIndexOf('/');
        string exe = slash < 0 ? path : path[(slash + 1)..];
        return PythonRegex().IsMatch(exe)
            ? $"#!/bin/sh\n'''exec' \"{path}\"{m.Groups[3].Value} \"$0\" \"$@\" #'''"
            : $"#!/usr/bin/env {exe}{m.Groups[3].Value}";
    }

    private static void ReplaceAll(ReadOnlySpan<byte> data, ReadOnlySpan<byte> search, ReadOnlySpan<byte> replacement, MemoryStream output)
    {
        if (search.IsEmpty)
        {
            output.Write(data);
            return;
        }

        while (true)
        {
            int i = data.IndexOf(search);
            if (i < 0)
            {
                output.Write(data);
                return;
            }

            output.Write(data[..i]);
            output.Write(replacement);
            data = data[(i + search.Length)..];
        }
    }

    private static string? TryDecodeUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    private static bool IsLinux(string platform) => platform.StartsWith("linux", StringComparison.OrdinalIgnoreCase);

    private static bool IsMacOS(string platform) => platform.StartsWith("osx", StringComparison.OrdinalIgnoreCase);

    private static bool IsWindows(string platform) => platform.StartsWith("win", StringComparison.OrdinalIgnoreCase);

    // conda/rattler: #!, optional blanks, the interpreter (escaped spaces allowed), the rest of the line.
    [GeneratedRegex(@"^(#!(?:[ ]*)(/(?:\\ |[^ \n\r\t])*)(.*))$", RegexOptions.CultureInvariant)]
    private static partial Regex ShebangRegex();

    [GeneratedRegex(@"^python(?:\d+(?:\.\d+)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex PythonRegex();
}
