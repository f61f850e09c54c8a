using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Environments;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Lists conda environments (conda env list) as objects.</para>
/// <para type="description">Get-Env returns one EnvTools.EnvironmentInfo per known environment: the folders of the
/// configured envs_dirs that hold a conda-meta folder, then the other prefixes listed in ~/.conda/environments.txt.
/// Each has Name, Prefix, IsActive (CONDA_PREFIX), PackageCount, PythonVersion, CudaVersion, LastModified (the latest
/// history revision), SizeOnDisk and ExclusiveSize (the bytes not shared through hard links with the package cache or
/// other environments: what removing it frees). The sizes walk the whole prefix, so they are computed the first time
/// they are read and are not in the default table; ask for them with Select-Object or Format-Table. A name without
/// wildcards that names no environment is an EnvironmentNotFound error with close names.</para>
/// </summary>
/// <example><code>Get-Env</code>
/// <para>Lists every environment (conda env list), with its package count, Python and CUDA versions and the date of its
/// last change.</para>
/// <output>
/// Name                 Active Packages Python   CUDA     LastModified     Prefix
/// ----                 ------ -------- ------   ----     ------------     ------
/// ci                                 5 3.11.2            2026-12-07 16:41 …/envs/ci
/// ds                                 8 3.11.2            2026-12-07 16:41 …/envs/ds
/// ml                                 5 3.11.2            2026-12-07 16:41 …/envs/ml
/// ml-2023                            6 3.10.14           2026-12-07 16:41 …/envs/ml-2023
/// </output></example>
/// <example><code>Get-Env ml* | Format-Table Name, PythonVersion, SizeOnDisk, ExclusiveSize</code>
/// <para>Shows how much disk the environments whose names start with ml use (bytes), and how much removing each would
/// free: files hard-linked from the package cache count only in SizeOnDisk.</para>
/// <output>
/// Name    PythonVersion SizeOnDisk ExclusiveSize
/// ----    ------------- ---------- -------------
/// ml      3.11.2           6839088          7185
/// ml-2023 3.10.14             8111          8029
/// </output></example>
/// <example><code>Get-Env | Sort-Object ExclusiveSize -Descending | Select-Object -First 3</code>
/// <para>Finds the three environments whose removal would free the most space.</para>
/// <output>
/// Name                 Active Packages Python   CUDA     LastModified     Prefix
/// ----                 ------ -------- ------   ----     ------------     ------
/// ds                                 8 3.11.2            2026-12-07 16:41 …/envs/ds
/// ml-2023                            6 3.10.14           2026-12-07 16:41 …/envs/ml-2023
/// ml                                 5 3.11.2            2026-12-07 16:41 …/envs/ml
/// </output></example>
/// <seealso cref="NewEnvCommand"/>
/// <seealso cref="GetEnvPackageCommand"/>
/// <seealso cref="RemoveEnvCommand"/>
/// <seealso cref="RenameEnvCommand"/>
/// <seealso cref="TestEnvCommand"/>
[Cmdlet(VerbsCommon.Get, "Env")]
[OutputType(typeof(EnvironmentInfo))]
public sealed partial class GetEnvCommand : EnvCmdlet
{
    private readonly HashSet<string> _written = new(OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        EnvironmentLocator? locator = null;
        IReadOnlyList<EnvironmentLocation> known = Array.Empty<EnvironmentLocation>();
        if (!TryRun(() =>
            {
                locator = EnvironmentArguments.Locator(this);
                known = locator.List();
            }))
        {
            return;
        }

        if (Name is not { Length: > 0 })
        {
            foreach (EnvironmentLocation e in known)
            {
                Write(e, locator!);
            }

            return;
        }

        foreach (string n in Name)
        {
            TryRun(() =>
            {
                if (WildcardPattern.ContainsWildcardCharacters(n))
                {
                    var pattern = WildcardPattern.Get(n, WildcardOptions.IgnoreCase);
                    foreach (EnvironmentLocation e in known.Where(e => pattern.IsMatch(e.DisplayName)))
                    {
                        Write(e, locator!);
                    }

                    return;
                }

                EnvironmentLocation? hit = known.FirstOrDefault(e => string.Equals(e.Name, n, StringComparison.Ordinal));
                if (hit is null)
                {
                    string prefix = locator!.Find(n.Contains('/') || n.Contains(Path.DirectorySeparatorChar) ? GetUnresolvedProviderPathFromPSPath(n) : n);
                    hit = new EnvironmentLocation(locator.NameInEnvsDirs(prefix), prefix);
                }

                Write(hit, locator!);
            }, n);
        }
    }

    private void Write(EnvironmentLocation location, EnvironmentLocator locator)
    {
        if (_written.Add(location.Prefix))
        {
            WriteObject(EnvironmentArguments.ToOutput(EnvironmentInfo.Read(location, locator.ActivePrefix), "EnvTools.EnvironmentInfo"));
        }
    }
}
