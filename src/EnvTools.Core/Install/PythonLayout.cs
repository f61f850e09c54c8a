using EnvTools.Conda;

namespace EnvTools.Install;

/// <summary>Where python and its site-packages live in a prefix, from the python record of the prefix's final state.</summary>
internal sealed class PythonLayout
{
    private PythonLayout(string version, string sitePackages, string binDir, string executable)
    {
        Version = version;
        SitePackages = sitePackages;
        BinDir = binDir;
        Executable = executable;
    }

    /// <summary><c>X.Y</c>.</summary>
    public string Version { get; }

    /// <summary>Relative site-packages folder: <c>lib/pythonX.Y/site-packages</c>, <c>Lib/site-packages</c> on Windows, or the record's <c>python_site_packages_path</c>.</summary>
    public string SitePackages { get; }

    /// <summary>Relative scripts folder: <c>bin</c>, <c>Scripts</c> on Windows.</summary>
    public string BinDir { get; }

    /// <summary>Relative interpreter path: <c>bin/pythonX.Y</c>, <c>python.exe</c> on Windows.</summary>
    public string Executable { get; }

    public static PythonLayout? From(PackageRecord? python, Platform platform)
    {
        if (python is null)
        {
            return null;
        }

        var parts = python.Version.Split('.');
        string xy = parts.Length >= 2 ? $"{parts[0]}.{parts[1]}" : python.Version;
        bool win = platform.IsWindows;
        string sp = !string.IsNullOrEmpty(python.PythonSitePackagesPath)
            ? python.PythonSitePackagesPath!.Replace('\\', '/').Trim('/')
            : win ? "Lib/site-packages" : $"lib/python{xy}/site-packages";
        return new PythonLayout(xy, sp, win ? "Scripts" : "bin", win ? "python.exe" : $"bin/python{xy}");
    }

    /// <summary>The target of a noarch: python package path: <c>site-packages/</c> and <c>python-scripts/</c> move, the rest stays.</summary>
    public string MapNoarch(string path)
    {
        if (path.StartsWith("site-packages/", StringComparison.Ordinal))
        {
            return SitePackages + path["site-packages".Length..];
        }

        if (path.StartsWith("python-scripts/", StringComparison.Ordinal))
        {
            return BinDir + path["python-scripts".Length..];
        }

        return path;
    }

    /// <summary>
    /// conda's entry-point script: a shebang for the prefix's python (the <c>/bin/sh</c> exec trampoline when the
    /// line would be too long or the path holds a space) and the template that calls <c>module:func</c>.
    /// Windows scripts (<c>-script.py</c>) have no shebang.
    /// </summary>
    public static string EntryPointScript(string? pythonPath, string module, string func)
    {
        string importName = func.Split('.')[0];
        string shebang = string.Empty;
        if (pythonPath is not null)
        {
            shebang = $"#!{pythonPath}\n";
            if (System.Text.Encoding.UTF8.GetByteCount(shebang) > PrefixReplacement.MaxShebangLengthLinux || pythonPath.Contains(' ', StringComparison.Ordinal))
            {
                shebang = $"#!/bin/sh\n'''exec' '{pythonPath}' \"$0\" \"$@\" #'''\n";
            }
        }

        return shebang
            + "# -*- coding: utf-8 -*-\n"
            + "import re\n"
            + "import sys\n"
            + "\n"
            + $"from {module} import {importName}\n"
            + "\n"
            + "if __name__ == '__main__':\n"
            + "    sys.argv[0] = re.sub(r'(-script\\.pyw?|\\.exe)?$', '', sys.argv[0])\n"
            + $"    sys.exit({func}())\n";
    }
}
