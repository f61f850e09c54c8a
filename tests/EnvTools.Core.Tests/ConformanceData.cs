using Xunit;

namespace EnvTools.Tests;

/// <summary>
/// Locates the shared conformance data (real test data from conda, mamba and rattler) in place:
/// <c>ENVTOOLS_CONFORMANCE_DATA</c>, else <c>../shared/data</c> next to the checkout.
/// Tests that need it skip with a clear message when it is absent.
/// </summary>
public static class ConformanceData
{
    private static readonly Lazy<string?> Root = new(Locate);

    /// <summary>The data folder, or null when absent.</summary>
    public static string? Directory => Root.Value;

    /// <summary>The message a skipped conformance test reports.</summary>
    public const string MissingMessage =
        "conformance data not found: set ENVTOOLS_CONFORMANCE_DATA or place shared/data next to the checkout (../shared/data)";

    /// <summary>True under CI (<c>CI=true</c>): a test that needs the data fails when it is absent instead of being skipped.</summary>
    public static bool IsCI => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The skip reason for a test that needs the data: null when it is there, or under CI (where the test fails).</summary>
    public static string? SkipReason => Directory is null && !IsCI ? MissingMessage : null;

    /// <summary>Full path of a file below the data folder, or null when the data is absent (under CI, it throws).</summary>
    public static string? PathOf(string relative)
    {
        string? root = Directory;
        if (root is null && IsCI)
        {
            throw new InvalidOperationException(MissingMessage + " (CI=true: a missing data set fails the test instead of skipping it)");
        }

        return root is null ? null : Path.Combine(root, relative.Replace('/', Path.DirectorySeparatorChar));
    }

    private static string? Locate()
    {
        string? env = Environment.GetEnvironmentVariable("ENVTOOLS_CONFORMANCE_DATA");
        if (!string.IsNullOrEmpty(env) && System.IO.Directory.Exists(env))
        {
            return Path.GetFullPath(env);
        }

        // Walk up from the test binaries to the repository root (the folder holding EnvTools.sln).
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EnvTools.sln")))
        {
            dir = dir.Parent;
        }

        if (dir?.Parent is null)
        {
            return null;
        }

        string candidate = Path.Combine(dir.Parent.FullName, "shared", "data");
        return System.IO.Directory.Exists(candidate) ? candidate : null;
    }
}

/// <summary>A fact that is skipped (with <see cref="ConformanceData.MissingMessage"/>) when the shared data is absent, and fails then under CI.</summary>
public sealed class ConformanceFactAttribute : FactAttribute
{
    public ConformanceFactAttribute()
    {
        Skip = ConformanceData.SkipReason;
    }
}

/// <summary>A theory that is skipped when the shared data is absent, and fails then under CI.</summary>
public sealed class ConformanceTheoryAttribute : TheoryAttribute
{
    public ConformanceTheoryAttribute()
    {
        Skip = ConformanceData.SkipReason;
    }
}
