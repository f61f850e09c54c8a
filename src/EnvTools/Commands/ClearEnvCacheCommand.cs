using System.Management.Automation;
using EnvTools.Commands.Internal;
using EnvTools.Config;
using EnvTools.Fetch;

namespace EnvTools.Commands;

/// <summary>
/// <para type="synopsis">Removes cached repodata, extracted packages and package archives from the package caches (conda clean).</para>
/// <para type="description">Clear-EnvCache works on the writable pkgs_dirs folders only. -Index removes the repodata cache
/// (pkgs_dir/cache) and the on-disk repodata indexes (.etidx, .etjson); -Packages removes extracted packages (and interrupted
/// extractions); -Tarballs removes package archives (and interrupted .partial downloads); -All does all three. With -Unused
/// (alone it means -Packages -Unused), an extracted package is removed only when no environment hard-links to it: none of
/// its files has more than one link. Each removal asks ShouldProcess, so -WhatIf lists what would go and -Confirm asks for
/// each. It returns one EnvTools.CacheItem (Path, Kind, Size, Name) per item removed.</para>
/// </summary>
/// <example><code>Clear-EnvCache -All -WhatIf</code>
/// <para>Lists what conda clean --all would delete from the package caches (extracted packages, archives, repodata
/// cache), one line per item with its size, and deletes nothing. Without -WhatIf each line is removed and returned.</para>
/// <output>
/// What if: Performing the operation "Remove package (983 bytes)" on target "…/pkgs/app-2.0-0".
/// What if: Performing the operation "Remove tarball (903 bytes)" on target "…/pkgs/app-2.0-0.conda".
/// What if: Performing the operation "Remove package (993 bytes)" on target "…/pkgs/libdemo-2.0-0".
/// …
/// What if: Performing the operation "Remove package (6,833,305 bytes)" on target "…/pkgs/python-3.11.2-0".
/// What if: Performing the operation "Remove tarball (2,796,011 bytes)" on target "…/pkgs/python-3.11.2-0.conda".
/// </output></example>
/// <example><code>Clear-EnvCache -Packages -Unused -Tarballs | Measure-Object Size -Sum</code>
/// <para>Deletes the package archives and the extracted packages that no environment links to any more (conda clean
/// --tarballs --packages), and adds up the bytes freed. -Unused alone would mean -Packages -Unused; next to -Tarballs
/// it keeps the extracted packages that environments use.</para>
/// <output>
/// Count             : 5
/// Average           :
/// Sum               : 2799803
/// Maximum           :
/// Minimum           :
/// StandardDeviation :
/// Property          : Size
/// </output></example>
/// <seealso cref="GetEnvInfoCommand"/>
/// <seealso cref="RemoveEnvCommand"/>
[Cmdlet(VerbsCommon.Clear, "EnvCache", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(CacheItem))]
public sealed partial class ClearEnvCacheCommand : EnvCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        CacheClearKinds kinds = PackageCacheCleaner.Select(Index, Packages, Tarballs, All, Unused);

        if (kinds == CacheClearKinds.None)
        {
            ThrowTerminatingError(new ErrorRecord(new ArgumentException("Say what to clear: -Index, -Packages, -Tarballs, -All or -Unused."),
                "NoCacheKindSelected", ErrorCategory.InvalidArgument, null));
        }

        IReadOnlyList<CacheItem> plan = Array.Empty<CacheItem>();
        if (!TryRun(() =>
            {
                Settings settings = ChannelArguments.LoadSettings(this);
                plan = PackageCacheCleaner.Plan(new PackageCache(settings.PkgsDirs), kinds, Unused, RepoData.RepoDataIndexOptions.CacheDirectories());
            }))
        {
            return;
        }

        foreach (CacheItem item in plan)
        {
            if (Stopping)
            {
                return;
            }

            if (!ShouldProcess(item.Path, $"Remove {item.Kind.ToLowerInvariant()} ({item.Size:N0} bytes)"))
            {
                continue;
            }

            try
            {
                PackageCacheCleaner.Remove(item);
                WriteObject(ToOutput(item));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(ex, "CacheItemNotRemoved", ErrorCategory.WriteError, item.Path));
            }
        }
    }

    private static PSObject ToOutput(CacheItem item)
    {
        var o = PSObject.AsPSObject(item);
        o.TypeNames.Insert(0, "EnvTools.CacheItem");
        return o;
    }
}
