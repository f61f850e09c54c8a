using System.Runtime.CompilerServices;
using EnvTools.RepoData;

namespace EnvTools.Tests.RepoData;

/// <summary>
/// Keeps every test of this assembly away from the real places of the on-disk repodata index: the shared data
/// folder (read in place) and the user's cache. <see cref="RepoDataIndex.Load(string, string?)"/> writes its index
/// files into a temporary folder for this test process, deleted when it exits.
/// </summary>
internal static class IndexCacheForTests
{
    public static string Directory { get; } = Path.Combine(Path.GetTempPath(), $"envtools-test-index-{Environment.ProcessId}-{Guid.NewGuid():N}");

#pragma warning disable CA2255 // a module initializer in a test assembly is exactly what is meant here
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Init()
    {
        Environment.SetEnvironmentVariable(RepoDataIndexOptions.CacheEnvironmentVariable, Directory);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // best effort
            }
        };
    }
}
