# Builds real conda packages and channels for the Pester tests with the engine's PackageBuilder and
# ChannelIndexer (the same archives conda-build makes: info/index.json, info/paths.json, .conda/.tar.bz2).

Import-Module (Join-Path $PSScriptRoot 'TestIsolation.psm1')

# conda-build's long placeholder prefix (the packages are "built" there; installs rewrite it).
$script:Placeholder = '/opt/envtools-build/' + ('_placehold' * 20)

function Get-TestPlaceholder { $script:Placeholder }

function New-TestPackage {
    <#
    Builds <Name>-<Version>-<Build> into <Channel>/<subdir> from a hashtable of files (package-relative path →
    text content, or byte[]). Text that contains the placeholder gets a text-mode prefix_placeholder entry,
    byte[] content with NUL bytes a binary one. Returns the BuiltPackage objects.
    #>
    param(
        [Parameter(Mandatory)] [string] $Channel,
        [Parameter(Mandatory)] [string] $Name,
        [Parameter(Mandatory)] [string] $Version,
        [string] $Build = '0',
        [int] $BuildNumber = 0,
        [string[]] $Depends = @(),
        [hashtable] $Files = @{},
        [string] $Subdir = [EnvTools.Conda.Platform]::Current.Name,
        [string] $Noarch,
        [string[]] $EntryPoints = @(),
        [hashtable] $InfoFiles = @{},
        [ValidateSet('Conda', 'TarBz2', 'Both')] [string] $Format = 'Conda'
    )
    $src = Join-Path ([IO.Path]::GetTempPath()) ("envtools-pkgsrc-" + [guid]::NewGuid().ToString('N'))
    New-Item -ItemType Directory -Path $src | Out-Null
    try {
        foreach ($rel in $Files.Keys) {
            $path = Join-Path $src $rel
            New-Item -ItemType Directory -Path (Split-Path $path) -Force | Out-Null
            $content = $Files[$rel]
            if ($content -is [byte[]]) { [IO.File]::WriteAllBytes($path, $content) }
            else { [IO.File]::WriteAllText($path, [string]$content) }
            if (-not $IsWindows -and $rel -like 'bin/*') { [IO.File]::SetUnixFileMode($path, [IO.UnixFileMode]'UserRead, UserWrite, UserExecute, GroupRead, GroupExecute, OtherRead, OtherExecute') }
        }
        $def = [EnvTools.Packages.PackageDefinition]::new()
        $def.Name = $Name
        $def.Version = $Version
        $def.Build = $Build
        $def.BuildNumber = $BuildNumber
        $def.Subdir = if ($Noarch) { 'noarch' } else { $Subdir }
        if ($Noarch) { $def.Noarch = $Noarch }
        $def.Depends = [string[]]$Depends
        $def.EntryPoints = [string[]]$EntryPoints
        $def.PrefixPlaceholder = $script:Placeholder
        $def.Timestamp = 1700000000000
        foreach ($k in $InfoFiles.Keys) { $def.InfoFiles[$k] = [string]$InfoFiles[$k] }
        $out = Join-Path $Channel $def.Subdir
        [EnvTools.Packages.PackageBuilder]::Build($src, $def, $out, [EnvTools.Packages.PackageFormats]$Format)
    }
    finally {
        Remove-Item -Recurse -Force $src
    }
}

function Get-TextPrefix {
    <# What a text-mode placeholder becomes in an environment: the prefix, with forward slashes for win-* (as conda writes it). #>
    param([Parameter(Mandatory)] [string] $Prefix)
    if ([EnvTools.Conda.Platform]::Current.IsWindows) { $Prefix.Replace('\', '/') } else { $Prefix }
}

function Test-UnderWine {
    <# True under Wine (its ntdll exports wine_get_version; Windows' does not): for the tests Wine cannot run. #>
    if (-not $IsWindows) { return $false }
    $ntdll = [IntPtr]::Zero; $export = [IntPtr]::Zero
    [Runtime.InteropServices.NativeLibrary]::TryLoad('ntdll.dll', [ref] $ntdll) -and
        [Runtime.InteropServices.NativeLibrary]::TryGetExport($ntdll, 'wine_get_version', [ref] $export)
}

function Update-TestChannelIndex {
    <# Writes repodata.json for every subdir of the channel (and an empty noarch). #>
    param([Parameter(Mandatory)] [string] $Channel)
    [EnvTools.Packages.ChannelIndexer]::Index($Channel) | Out-Null
    $Channel
}

function Use-IsolatedConda {
    <#
    Points HOME, pkgs_dirs and envs_dirs at folders under $Root and hides the machine's .condarc files (the only one
    read is $Root/condarc, configuring no channels);
    returns a hashtable of the old values for Restore-IsolatedConda.
    #>
    param([Parameter(Mandatory)] [string] $Root)
    $saved = @{}
    foreach ($k in 'HOME', 'USERPROFILE', 'CONDA_PKGS_DIRS', 'CONDA_ENVS_DIRS', 'CONDARC', 'CONDA_RESTRICT_RC_SEARCH_PATH', 'CONDA_PREFIX',
                   'CONDA_LOCAL_REPODATA_TTL', 'CONDA_OFFLINE', 'ENVTOOLS_INDEX_CACHE', 'CONDA_REMOTE_BACKOFF_FACTOR') {
        $saved[$k] = [Environment]::GetEnvironmentVariable($k)
    }
    New-Item -ItemType Directory -Path (Join-Path $Root 'home'), (Join-Path $Root 'pkgs'), (Join-Path $Root 'envs') -Force | Out-Null
    $env:HOME = $env:USERPROFILE = Join-Path $Root 'home'   # ~ is USERPROFILE on Windows, HOME elsewhere
    $env:CONDA_PKGS_DIRS = Join-Path $Root 'pkgs'
    $env:CONDA_ENVS_DIRS = Join-Path $Root 'envs'
    $env:CONDA_RESTRICT_RC_SEARCH_PATH = 'true'
    $env:CONDA_LOCAL_REPODATA_TTL = '0'
    $env:CONDA_REMOTE_BACKOFF_FACTOR = '0.01'
    $env:ENVTOOLS_INDEX_CACHE = Join-Path $Root 'index'
    Remove-Item env:CONDA_PREFIX, env:CONDA_OFFLINE -ErrorAction SilentlyContinue
    # The only configuration file read: no channels configured, so -Channel (which conda-like goes before the configured
    # channels, 'defaults' when none are configured) reads exactly the test's channels and nothing off the machine.
    $env:CONDARC = Join-Path $Root 'condarc'
    Set-Content -LiteralPath $env:CONDARC -Value "channels: []`n"
    $saved
}

function Restore-IsolatedConda {
    param([Parameter(Mandatory)] [hashtable] $Saved)
    foreach ($k in $Saved.Keys) { Set-TestVariable $k $Saved[$k] }
}

function Get-TreeDigest {
    <# A sorted listing of every file below $Path with its sha256 (symlinks by target), to compare trees. #>
    param([Parameter(Mandatory)] [string] $Path, [string[]] $Exclude = @())
    Get-ChildItem -LiteralPath $Path -Recurse -Force -File -ErrorAction SilentlyContinue |
        Where-Object { $rel = [IO.Path]::GetRelativePath($Path, $_.FullName); -not ($Exclude | Where-Object { $rel -like $_ }) } |
        ForEach-Object {
            $rel = [IO.Path]::GetRelativePath($Path, $_.FullName)
            if ($_.LinkType -eq 'SymbolicLink') { "$rel -> $($_.LinkTarget)" }
            else { "$rel $((Get-FileHash -LiteralPath $_.FullName -Algorithm SHA256).Hash)" }
        } | Sort-Object
}

Export-ModuleMember -Function Get-TestPlaceholder, Get-TextPrefix, Test-UnderWine, New-TestPackage, Update-TestChannelIndex, Use-IsolatedConda, Restore-IsolatedConda, Get-TreeDigest
