using System.Diagnostics;
using System.Globalization;
using EnvTools.Conda;
using EnvTools.Fetch.Oci;

namespace EnvTools.Bench;

/// <summary>
/// The Mirrors suite's second reference: curl (one process, <c>--parallel</c>) fetching from the same server what EnvTools
/// fetches, so that a ratio against the HTTP channel can be told apart from the server's own speed. Download: the same
/// archives by the same URLs, 4 at once, into files (curl checks no sha256: it does less work than EnvTools). Warm: the
/// same revalidation requests, all subdirs at once (HTTP and S3: <c>If-None-Match</c> with the ETag saved by an untimed
/// fetch; OCI: the repodata manifest, which is all EnvTools asks the registry for).
/// </summary>
internal sealed class CurlReference
{
    private const string EmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    private readonly string _kind;
    private readonly string _base;
    private readonly string _work;
    private readonly string[] _auth;

    private CurlReference(string kind, string baseUrl, string work, string[] auth)
    {
        _kind = kind;
        _base = baseUrl.TrimEnd('/');
        _work = work;
        _auth = auth;
        Directory.CreateDirectory(work);
    }

    /// <summary>Why the reference cannot run (no curl), or null.</summary>
    internal static string? SkipReason() =>
        Program.ToolVersion("curl", "--version").StartsWith("curl ", StringComparison.Ordinal) ? null : "curl is not installed (Debian package curl)";

    /// <summary>The reference for an HTTP channel at <paramref name="channelUrl"/>.</summary>
    internal static CurlReference Http(string channelUrl, string work) => new("http", channelUrl, work, Array.Empty<string>());

    /// <summary>The reference for the channel <c>NAMESPACE/CHANNEL</c> of an insecure (plain HTTP) registry, anonymous.</summary>
    internal static CurlReference Oci(string authority, string channelPath, string work) => new("oci", $"http://{authority}/v2/{channelPath}", work, Array.Empty<string>());

    /// <summary>The reference for <c>s3://BUCKET/PREFIX</c> at a path-style endpoint, SigV4-signed by curl itself.</summary>
    internal static CurlReference S3(Uri endpoint, string bucket, string prefix, string accessKey, string secretKey, string work)
    {
        Directory.CreateDirectory(work);
        // curl's --user splits at the first ':' and Swift's access keys are "account:user": the keys go through a netrc
        string netrc = Path.Combine(work, "netrc");
        File.WriteAllText(netrc, $"machine {endpoint.Host}\nlogin {accessKey}\npassword {secretKey}\n");
        return new("s3", $"{endpoint.AbsoluteUri.TrimEnd('/')}/{bucket}/{prefix}", work,
            new[] { "--aws-sigv4", "aws:amz:us-east-1:s3", "--netrc-file", netrc, "-H", $"x-amz-content-sha256: {EmptySha256}" });
    }

    /// <summary>Seconds curl takes to fetch <paramref name="records"/> into <paramref name="dir"/>, 4 at once.</summary>
    internal double Download(IReadOnlyList<RepoDataRecord> records, string dir)
    {
        Directory.CreateDirectory(dir);
        var args = new List<string> { "--parallel", "--parallel-max", "4" };
        args.AddRange(_auth);
        foreach (RepoDataRecord r in records)
        {
            args.Add("-o");
            args.Add(Path.Combine(dir, r.FileName));
            args.Add(ArchiveUrl(r));
        }

        double t = Run(args);
        long bytes = records.Sum(r => new FileInfo(Path.Combine(dir, r.FileName)).Length);
        if (bytes != records.Sum(r => r.Size ?? 0))
        {
            throw new InvalidOperationException($"curl ({_kind}): the downloaded archives do not have their records' sizes");
        }

        return t;
    }

    /// <summary>Seconds curl takes to revalidate every subdir's repodata at once (after an untimed fetch that saves the ETags).</summary>
    internal double Warm(IReadOnlyList<string> subdirs)
    {
        if (_kind == "oci")
        {
            var manifests = new List<string> { "--parallel", "--parallel-max", subdirs.Count.ToString(CultureInfo.InvariantCulture),
                "-H", $"Accept: {OciLayout.ManifestMediaType}", "-H", $"Accept: {OciLayout.DockerManifestMediaType}" };
            foreach (string s in subdirs)
            {
                manifests.AddRange(new[] { "-o", Path.Combine(_work, $"{s}.manifest"), $"{_base}/{s}/{OciLayout.RepodataRepository}/manifests/{OciLayout.RepodataTag}" });
            }

            return Run(manifests);
        }

        List<string> Conditional(bool save)
        {
            var args = new List<string> { "--parallel", "--parallel-max", subdirs.Count.ToString(CultureInfo.InvariantCulture) };
            for (int i = 0; i < subdirs.Count; i++)
            {
                if (i > 0)
                {
                    args.AddRange(new[] { "--next", "-sS", "--fail" });
                }

                args.AddRange(_auth);
                args.AddRange(new[] { save ? "--etag-save" : "--etag-compare", Path.Combine(_work, $"{subdirs[i]}.etag"),
                    "-o", Path.Combine(_work, $"{subdirs[i]}.zst"), $"{_base}/{subdirs[i]}/repodata.json.zst" });
            }

            return args;
        }

        Run(Conditional(save: true));
        foreach (string s in subdirs)
        {
            if (new FileInfo(Path.Combine(_work, $"{s}.etag")).Length == 0)
            {
                throw new InvalidOperationException($"curl ({_kind}): no ETag for {s}");
            }
        }

        return Run(Conditional(save: false));
    }

    private string ArchiveUrl(RepoDataRecord r) => _kind == "oci"
        ? $"{_base}/{r.Subdir}/{OciLayout.PackageRepositoryName(r.Name)}/blobs/sha256:{r.Sha256}"
        : $"{_base}/{r.Subdir}/{r.FileName}";

    private double Run(List<string> args)
    {
        var psi = new ProcessStartInfo("curl") { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in new[] { "-sS", "--fail" }.Concat(args))
        {
            psi.ArgumentList.Add(a);
        }

        var sw = Stopwatch.StartNew();
        using Process p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        double t = sw.Elapsed.TotalSeconds;
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"curl ({_kind}) exited with {p.ExitCode}: {err.Trim()}");
        }

        return t;
    }
}
