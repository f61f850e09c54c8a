using System.Text.RegularExpressions;
using EnvTools.Conda;

namespace EnvTools.Activation;

/// <summary>A CUDA toolkit package installed in an environment.</summary>
/// <param name="PackageName">The record's name (<c>cuda-version</c>, <c>cudatoolkit</c> …).</param>
/// <param name="Version">The CUDA version it stands for.</param>
/// <param name="RecordPath">The <c>conda-meta/*.json</c> file it was read from.</param>
public sealed record CudaToolkitInfo(string PackageName, string Version, string RecordPath);

/// <summary>Finds the CUDA toolkit an environment carries, from its <c>conda-meta</c> records.</summary>
public static partial class CudaToolkit
{
    /// <summary>The packages that make an environment a CUDA one, the most telling version first.</summary>
    public static readonly IReadOnlyList<string> PackageNames = new[] { "cuda-version", "cuda-toolkit", "cudatoolkit", "cuda-cudart", "cuda-nvcc" };

    /// <summary>The toolkit of <paramref name="prefix"/>, or null when none of <see cref="PackageNames"/> is installed.</summary>
    public static CudaToolkitInfo? Find(string prefix)
    {
        string meta = Path.Combine(prefix, "conda-meta");
        if (!Directory.Exists(meta))
        {
            return null;
        }

        var found = new Dictionary<string, CudaToolkitInfo>(StringComparer.Ordinal);
        foreach (string file in Directory.EnumerateFiles(meta, "cud*.json"))
        {
            Match m = RecordFileName().Match(Path.GetFileName(file));
            if (!m.Success)
            {
                continue;
            }

            PrefixRecord record = PrefixRecord.Read(file);
            if (PackageNames.Contains(record.Name))
            {
                found[record.Name] = new CudaToolkitInfo(record.Name, record.Version, file);
            }
        }

        return PackageNames.Select(n => found.GetValueOrDefault(n)).FirstOrDefault(i => i is not null);
    }

    /// <summary>The CUDA variables activation sets: <c>CUDA_PATH</c> (the prefix's <c>Library</c>) on Windows, <c>CUDA_HOME</c> (the prefix) elsewhere.</summary>
    public static KeyValuePair<string, string> Variable(string prefix, bool isWindows) =>
        isWindows ? new("CUDA_PATH", Path.Combine(prefix, "Library")) : new("CUDA_HOME", prefix);

    [GeneratedRegex(@"^(cuda-version|cuda-toolkit|cudatoolkit|cuda-cudart|cuda-nvcc)-[^-]+-[^-]+\.json$")]
    private static partial Regex RecordFileName();
}
