using System.Text;

namespace EnvTools.IO;

/// <summary>
/// Writes a text file a command was asked for (as Export-Csv): UTF-8 without BOM, its folder created, an existing
/// file refused with no-clobber and replaced even when read-only with force.
/// </summary>
public static class TextFileOutput
{
    /// <summary>Fails when <paramref name="path"/> exists and <paramref name="noClobber"/> is set.</summary>
    /// <exception cref="EnvToolsException">FileExists.</exception>
    public static void ThrowIfClobbering(string path, bool noClobber)
    {
        if (noClobber && File.Exists(path))
        {
            throw new EnvToolsException("FileExists", ErrorKind.ResourceExists, $"'{path}' exists and -NoClobber was given.", path);
        }
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/>; <paramref name="force"/> clears a read-only flag first.</summary>
    public static void Write(string path, string text, bool force)
    {
        string? dir = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }

        var existing = new FileInfo(path);
        if (existing.Exists && force && existing.IsReadOnly)
        {
            existing.IsReadOnly = false;
        }

        File.WriteAllText(path, text, new UTF8Encoding(false));
    }
}
