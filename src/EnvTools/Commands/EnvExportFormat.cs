namespace EnvTools.Commands;

/// <summary>The file formats Export-Env writes.</summary>
public enum EnvExportFormat
{
    /// <summary>conda's environment.yml.</summary>
    Yaml,
    /// <summary>The environment.yml content as an object tree (or JSON text with -Path).</summary>
    Json,
    /// <summary>An @EXPLICIT file (CEP-23): one URL with #sha256 per package, in install order.</summary>
    Explicit,
    /// <summary>A conda-lock (v1) multi-platform lock file.</summary>
    Lock,
}
