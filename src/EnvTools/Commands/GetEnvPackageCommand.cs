using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Config;
using EnvTools.Environments;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Lists the packages installed in an environment (conda list) as objects.</para>
/// <para type="description">Get-EnvPackage reads the environment's conda-meta records and returns one
/// EnvTools.InstalledPackage per package, sorted by name: Name, Version, Build, BuildNumber, Channel, Subdir, Size
/// (bytes installed), RequestedSpec (what the user asked for, from the record or conda-meta/history; empty for
/// dependencies), IsPinned (a line of conda-meta/pinned or the pinned_packages configuration constrains it; see Get-EnvPin), Source (Conda, or Pypi for Python distributions in site-packages that no conda package owns, listed
/// as conda lists them: channel pypi, build pypi_0), Prefix, Depends, Constrains, Url and Sha256; GetRecord() gives the
/// channel record and GetPrefixRecord() the conda-meta record with its files. The packages are
/// -Package (the first positional argument; wildcards allowed). The environment is -Name (a name or a path; aliases
/// -Env and conda's -n), as on every EnvTools cmdlet, -Prefix (also bound from the pipeline, so Get-Env |
/// Get-EnvPackage works), or else the active one (CONDA_PREFIX); without any, the error is NoActiveEnvironment. A
/// package name without wildcards that is not installed is a PackageNotInstalled error.</para>
/// </summary>
/// <example><code>Get-EnvPackage -Name ml</code></example>
/// <example><code>Get-EnvPackage num*, python -Prefix ./envs/ml</code></example>
/// <example><code>Get-EnvPackage -n ml -Package numpy</code></example>
/// <example><code>Get-Env ml* | Get-EnvPackage | Where-Object Size -gt 100MB</code></example>
/// <example><code>Get-EnvPackage | Where-Object Source -eq Pypi</code></example>
[Cmdlet(VerbsCommon.Get, "EnvPackage", DefaultParameterSetName = ActiveSet)]
[OutputType(typeof(InstalledPackage))]
public sealed class GetEnvPackageCommand : EnvCmdlet
{
    private const string ActiveSet = "Active";
    private const string EnvSet = "Env";
    private const string PrefixSet = "Prefix";

    #region Parameters

    /// <summary>Package names (wildcards allowed); all packages when omitted.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(InstalledPackageNameCompleter))]
    public string[]? Package { get; set; }

    /// <summary>The environment: a name from the envs dirs, or a path.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EnvSet)]
    [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
    [ValidateNotNullOrEmpty]
    [Alias("Env", "n")]
    public string? Name { get; set; }

    /// <summary>The environment's prefix; bound from the Prefix property of piped objects (Get-Env output).</summary>
    [Parameter(Mandatory = true, ParameterSetName = PrefixSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [Alias("p")]
    public string? Prefix { get; set; }

    #endregion

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            EnvironmentLocator locator = EnvironmentArguments.Locator(this);
            string prefix = EnvironmentArguments.ResolveTarget(this, locator, Name, Prefix);
            PrefixData data = PrefixData.Load(prefix, CancellationToken);
            if (data.TransactionPending)
            {
                WriteWarning(Install.PrefixJournal.PendingMessage(prefix));
            }

            Settings settings = ChannelArguments.LoadSettings(this, prefix);
            IReadOnlyList<InstalledPackage> packages = data.GetPackages(configuredPins: settings.PinnedPackages, channels: settings.CreateChannelResolver());
            if (Package is not { Length: > 0 })
            {
                foreach (InstalledPackage p in packages)
                {
                    WriteObject(EnvironmentArguments.ToOutput(p, "EnvTools.InstalledPackage"));
                }

                return;
            }

            var patterns = Package.Select(n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase)).ToArray();
            foreach (InstalledPackage p in packages.Where(p => patterns.Any(w => w.IsMatch(p.Name))))
            {
                WriteObject(EnvironmentArguments.ToOutput(p, "EnvTools.InstalledPackage"));
            }

            foreach (string n in Package.Where(n => !WildcardPattern.ContainsWildcardCharacters(n)))
            {
                if (!packages.Any(p => string.Equals(p.Name, n, StringComparison.OrdinalIgnoreCase)))
                {
                    WriteError(ErrorRecords.From(new PackageNotInstalledException(n, prefix), n));
                }
            }
        }, (object?)Name ?? Prefix);
    }
}
