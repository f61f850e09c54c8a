namespace EnvTools.Config;

/// <summary>
/// conda's <c>ssl_verify</c>: verify certificates (the default), do not, verify against a CA bundle file or
/// folder, or use the operating system's trust store (<c>truststore</c>).
/// </summary>
public sealed record SslVerify
{
    private SslVerify(bool enabled, string? caPath, bool truststore)
    {
        Enabled = enabled;
        CaPath = caPath;
        UseTruststore = truststore;
    }

    /// <summary>Verify against the default trust store (<c>ssl_verify: true</c>).</summary>
    public static SslVerify Default { get; } = new(true, null, false);

    /// <summary>Do not verify (<c>ssl_verify: false</c>).</summary>
    public static SslVerify Disabled { get; } = new(false, null, false);

    /// <summary>Verify with the operating system's store (<c>ssl_verify: truststore</c>).</summary>
    public static SslVerify Truststore { get; } = new(true, null, true);

    /// <summary>Verify against a CA bundle file or a folder of certificates.</summary>
    public static SslVerify WithCaPath(string path) => new(true, path ?? throw new ArgumentNullException(nameof(path)), false);

    /// <summary>Whether certificates are verified at all.</summary>
    public bool Enabled { get; }

    /// <summary>The CA bundle file or folder, or null.</summary>
    public string? CaPath { get; }

    /// <summary>Whether the operating system's trust store is used.</summary>
    public bool UseTruststore { get; }

    /// <summary>As conda writes it: <c>true</c>, <c>false</c>, <c>truststore</c> or the path.</summary>
    public override string ToString() => CaPath ?? (UseTruststore ? "truststore" : Enabled ? "true" : "false");
}
