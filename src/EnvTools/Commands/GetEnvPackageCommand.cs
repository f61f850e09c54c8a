using System.Management.Automation;
using EnvTools.Commands.Internal;
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
/// <example><code>Get-EnvPackage -Name ml</code>
/// <para>Lists the packages of the environment ml (conda list -n ml); RequestedSpec shows what was asked for by name.</para>
/// <output>
/// Name                     Version      Build                    Channel               Size RequestedSpec
/// ----                     -------      -----                    -------               ---- -------------
/// libffi                   3.4.4        0                        conda-forge            7 B
/// libopenblas              0.3.27       0                        conda-forge            9 B
/// numpy                    2.1.3        py311_0                  conda-forge           22 B numpy
/// python                   3.11.2       0                        conda-forge        6.5 MiB python=3.11
/// zlib                     1.3.1        0                        conda-forge           11 B
/// </output></example>
/// <example><code>Get-EnvPackage num*, python -Prefix ./envs/ml</code>
/// <para>Lists the packages whose names match num* or python in the environment at ./envs/ml (conda list -p ./envs/ml
/// "^(num.*|python)$").</para>
/// <output>
/// Name                     Version      Build                    Channel               Size RequestedSpec
/// ----                     -------      -----                    -------               ---- -------------
/// numpy                    2.1.3        py311_0                  conda-forge           22 B numpy
/// python                   3.11.2       0                        conda-forge        6.5 MiB python=3.11
/// </output></example>
/// <example><code>Get-EnvPackage -n ml -Package numpy</code>
/// <para>Shows the installed numpy of ml, with conda's -n alias; a package that is not installed is a
/// PackageNotInstalled error.</para>
/// <output>
/// Name                     Version      Build                    Channel               Size RequestedSpec
/// ----                     -------      -----                    -------               ---- -------------
/// numpy                    2.1.3        py311_0                  conda-forge           22 B numpy
/// </output></example>
/// <example><code>Get-Env ml* | Get-EnvPackage | Where-Object Size -gt 1MB</code>
/// <para>Finds the packages larger than 1 MiB installed in the environments whose names start with ml.</para>
/// <output>
/// Name                     Version      Build                    Channel               Size RequestedSpec
/// ----                     -------      -----                    -------               ---- -------------
/// python                   3.11.2       0                        conda-forge        6.5 MiB python=3.11
/// </output></example>
/// <example><code>Get-EnvPackage | Where-Object Source -eq Pypi</code>
/// <para>Lists the packages pip installed into the active environment (conda list shows them with channel pypi).</para>
/// <output>
/// Name                     Version      Build                    Channel               Size RequestedSpec
/// ----                     -------      -----                    -------               ---- -------------
/// mytool                   1.0          pypi_0                   pypi                 147 B
/// </output></example>
/// <seealso cref="GetEnvCommand"/>
/// <seealso cref="GetEnvDependencyCommand"/>
/// <seealso cref="InstallEnvPackageCommand"/>
/// <seealso cref="UpdateEnvPackageCommand"/>
/// <seealso cref="UninstallEnvPackageCommand"/>
/// <seealso cref="GetEnvPinCommand"/>
[Cmdlet(VerbsCommon.Get, "EnvPackage", DefaultParameterSetName = ActiveSet)]
[OutputType(typeof(InstalledPackage))]
public sealed partial class GetEnvPackageCommand : EnvCmdlet
{
    private const string ActiveSet = "Active";
    private const string EnvSet = "Env";
    private const string PrefixSet = "Prefix";

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        TryRun(() =>
        {
            EnvironmentLocator locator = EnvironmentArguments.Locator(this);
            string prefix = EnvironmentArguments.ResolveTarget(this, locator, Name, Prefix);
            IReadOnlyList<InstalledPackage> packages = InstalledPackageQuery.Read(prefix, () => ChannelArguments.LoadSettings(this, prefix), WriteWarning, CancellationToken);
            var (matched, missing) = InstalledPackageQuery.Select(packages, Package,
                n => WildcardPattern.Get(n, WildcardOptions.IgnoreCase).IsMatch, WildcardPattern.ContainsWildcardCharacters);
            foreach (InstalledPackage p in matched)
            {
                WriteObject(EnvironmentArguments.ToOutput(p, "EnvTools.InstalledPackage"));
            }

            foreach (string n in missing)
            {
                WriteError(ErrorRecords.From(new PackageNotInstalledException(n, prefix), n));
            }
        }, (object?)Name ?? Prefix);
    }
}
