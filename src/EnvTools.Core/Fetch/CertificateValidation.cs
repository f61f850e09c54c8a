using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using EnvTools.Config;

namespace EnvTools.Fetch;

/// <summary>conda's <c>ssl_verify</c> as a server certificate check.</summary>
internal static class CertificateValidation
{
    /// <summary>The callback for <paramref name="verify"/>, or null for the platform's default validation.</summary>
    internal static RemoteCertificateValidationCallback? For(SslVerify verify)
    {
        if (!verify.Enabled)
        {
#pragma warning disable CA5359 // ssl_verify: false asks for exactly this (conda's meaning); the default validates
            return static (_, _, _, _) => true;
#pragma warning restore CA5359
        }

        if (verify.CaPath is not { } path)
        {
            return null; // true and truststore: the operating system's store
        }

        X509Certificate2Collection roots = LoadRoots(path);
        return (_, certificate, chain, errors) => Validate(roots, certificate, chain, errors);
    }

    /// <summary>The certificates of a PEM bundle file, or of every <c>.pem</c>/<c>.crt</c>/<c>.cer</c> file in a folder.</summary>
    internal static X509Certificate2Collection LoadRoots(string path)
    {
        var roots = new X509Certificate2Collection();
        IEnumerable<string> files = Directory.Exists(path)
            ? Directory.EnumerateFiles(path).Where(f => f.EndsWith(".pem", StringComparison.OrdinalIgnoreCase) ||
                f.EndsWith(".crt", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".cer", StringComparison.OrdinalIgnoreCase))
            : new[] { path };
        foreach (string file in files)
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"ssl_verify: the CA bundle '{file}' does not exist", file);
            }

            roots.ImportFromPemFile(file);
        }

        return roots;
    }

    private static bool Validate(X509Certificate2Collection roots, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNotAvailable | SslPolicyErrors.RemoteCertificateNameMismatch)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(roots);
        if (presented is not null)
        {
            foreach (X509ChainElement e in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(e.Certificate);
            }
        }

        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
