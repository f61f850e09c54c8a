#requires -Version 7.4
<#
.SYNOPSIS
    The EnvTools demo: searches, solves and the main job on the demo channel (docs/demo/channel).
.DESCRIPTION
    Run it with `dotnet pwsh ./build.ps1 Demo` (which builds the module and lays out the channel first: real .conda
    archives built from docs/demo/packages/*.json).
#>
param(
    [string] $ModulePath = (Join-Path $PSScriptRoot '../out/EnvTools/EnvTools.psd1')
)
$ErrorActionPreference = 'Stop'
Import-Module $ModulePath -Force
$channel = Join-Path $PSScriptRoot 'demo/channel'

function Show([string] $Title, [scriptblock] $Block) {
    Write-Host ''
    Write-Host "PS> $($Block.ToString().Trim())" -ForegroundColor Cyan
    & $Block | Out-String -Width 160 | Write-Host
}

if (-not (Test-Path (Join-Path $channel 'noarch/repodata.json'))) { throw "The demo channel $channel is missing: ./build.ps1 Build lays it out." }
Write-Host "EnvTools demo on the demo channel $channel" -ForegroundColor Green
Push-Location $PSScriptRoot
$channel = './demo/channel'   # a relative folder: channels can be paths, file:// URLs or names

Show 'versions' { '1.0rc1', '1.0', '1.0.post1', '1!0.1', '1.0a2', '1.0dev' | ForEach-Object { [EnvTools.Conda.Version]::Parse($_) } | Sort-Object | ForEach-Object ToString }

Show 'search' { Find-EnvPackage 'pandas>=2' -Channel $channel -OverrideChannels -Platform linux-64 | Select-Object -First 4 }

Show 'solve' { Resolve-EnvPackage pandas 'python=3.11' -Channel $channel -OverrideChannels -Platform linux-64 -VirtualPackage __glibc=2.28 }

Show 'cuda' { Resolve-EnvPackage pytorch -Channel $channel -OverrideChannels -Platform linux-64 -VirtualPackage __glibc=2.28, __cuda=12.4 | Where-Object Name -in pytorch, cuda-version }

Show 'no cuda' { Resolve-EnvPackage pytorch -Channel $channel -OverrideChannels -Platform linux-64 -VirtualPackage __glibc=2.28 | Where-Object Name -eq pytorch }

Show 'another platform' { Resolve-EnvPackage pandas -Channel $channel -OverrideChannels -Platform osx-arm64 | Format-Table Name, Version, Build, Subdir }

Show 'conflict' {
    try { Resolve-EnvPackage legacy-analysis -Channel $channel -OverrideChannels -Platform linux-64 -VirtualPackage __glibc=2.28 -ErrorAction Stop }
    catch { "ErrorId: $($_.FullyQualifiedErrorId)"; $_.Exception.Message }
}

# ---------------------------------------------------------------------------------------------------------------
# The main job: an environment created, changed, listed, verified and removed, from the same channel (its packages are
# real archives, laid out by ./build.ps1 Build). HOME, pkgs_dirs and envs_dirs point into a temporary folder and no
# channels are configured, so the demo leaves the machine's own ~/.conda and .condarc alone.
# ---------------------------------------------------------------------------------------------------------------
$platform = [EnvTools.Conda.Platform]::Current.Name
if (-not (Test-Path (Join-Path $channel "$platform/repodata.json"))) {
    Write-Host ''
    Write-Host "The demo channel has packages for linux-64, osx-arm64 and win-64, not for this $platform host: the environment part is left out." -ForegroundColor Yellow
    Pop-Location
    return
}
$work = Join-Path ([IO.Path]::GetTempPath()) "envtools-demo-$PID"
$isolation = @{
    HOME = "$work/home"; USERPROFILE = "$work/home"; CONDA_PKGS_DIRS = "$work/pkgs"; CONDA_ENVS_DIRS = "$work/envs"
    CONDARC = "$work/condarc"; CONDA_RESTRICT_RC_SEARCH_PATH = 'true'; CONDA_PREFIX = $null
}
$saved = @{}
foreach ($k in $isolation.Keys) {
    $saved[$k] = [Environment]::GetEnvironmentVariable($k)
    if ($null -eq $isolation[$k]) { Remove-Item "env:$k" -ErrorAction Ignore } else { Set-Item "env:$k" $isolation[$k] }
}
New-Item -ItemType Directory -Path "$work/home" -Force | Out-Null
Set-Content -LiteralPath "$work/condarc" -Value 'channels: []'
try {
    Write-Host ''
    Write-Host "The main job, on the same channel (HOME, pkgs and envs under $work)" -ForegroundColor Green

    Show 'create' { New-Env demo python=3.12 zlib -Channel $channel -OverrideChannels }
    Show 'prefix' { Get-Content (Join-Path (Get-Env demo).Prefix lib/pkgconfig/zlib.pc) -First 1 }   # the build prefix, rewritten
    Show 'install' { Install-EnvPackage numpy -Name demo -Channel $channel -OverrideChannels }
    Show 'downgrade' { Install-EnvPackage 'openssl=3.2' -Name demo -Channel $channel -OverrideChannels }
    Show 'packages' { Get-EnvPackage -Name demo }
    Show 'environments' { Get-Env }
    Show 'uninstall' { Uninstall-EnvPackage numpy -Name demo }
    Show 'verify' { Test-Env demo -Quiet }
    Show 'remove' { Remove-Env demo -Confirm:$false; Get-Env demo -ErrorAction SilentlyContinue | Measure-Object | Select-Object Count }
}
finally {
    foreach ($k in $saved.Keys) {
        if ($null -eq $saved[$k]) { Remove-Item "env:$k" -ErrorAction Ignore } else { Set-Item "env:$k" $saved[$k] }
    }
    Pop-Location
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
