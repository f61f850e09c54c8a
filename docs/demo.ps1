#requires -Version 7.4
<#
.SYNOPSIS
    The EnvTools demo: the main job on the bundled local channel (docs/demo/channel).
.DESCRIPTION
    Run it with `dotnet pwsh ./build.ps1 Demo` (which builds the module first).
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

Write-Host "EnvTools demo on the bundled channel $channel" -ForegroundColor Green
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
# The main job: environments. Packages built here (real .conda archives), a channel served over HTTP on
# 127.0.0.1, an environment created, changed and removed. HOME, pkgs_dirs and envs_dirs point into a temporary
# folder so the demo leaves the machine's own ~/.conda alone.
# ---------------------------------------------------------------------------------------------------------------
$work = Join-Path ([IO.Path]::GetTempPath()) "envtools-demo-$PID"
Import-Module (Join-Path $PSScriptRoot '../tests/EnvTools.Tests/TestChannel.psm1') -Force
Import-Module (Join-Path $PSScriptRoot '../tests/EnvTools.Tests/TestPackages.psm1') -Force
$saved = Use-IsolatedConda -Root $work
$server = $null
try {
    $placeholder = Get-TestPlaceholder
    $served = Join-Path $work 'served'
    $chan = Join-Path $served 'demo-forge'
    New-TestPackage -Channel $chan -Name libzdemo -Version 1.2 -Files @{ 'lib/pkgconfig/libzdemo.pc' = "prefix=$placeholder`nlibdir=`${prefix}/lib`n"; 'lib/libzdemo.txt' = "1.2`n" } | Out-Null
    New-TestPackage -Channel $chan -Name libzdemo -Version 1.3 -Files @{ 'lib/pkgconfig/libzdemo.pc' = "prefix=$placeholder`nlibdir=`${prefix}/lib`n"; 'lib/libzdemo.txt' = "1.3`n" } | Out-Null
    New-TestPackage -Channel $chan -Name hello -Version 1.0 -Depends 'libzdemo >=1.2' -Files @{ 'bin/hello' = "#!/bin/sh`necho `"hello from $placeholder`"`n" } | Out-Null
    New-TestPackage -Channel $chan -Name tools -Version 0.5 -Depends 'hello' -Files @{ 'share/tools/README' = "tools`n" } | Out-Null
    Update-TestChannelIndex $chan | Out-Null
    $server = Start-TestChannelServer -Path $served
    $url = "$($server.Url)/demo-forge"
    Write-Host ''
    Write-Host "Built 4 packages and serve them at $url (HOME, pkgs and envs under $work)" -ForegroundColor Green

    Show 'create' { New-Env demo hello -Channel $url -OverrideChannels }
    $prefix = (Get-Env demo).Prefix
    if (-not $IsWindows) {
        Show 'run' { & (Join-Path $prefix 'bin/hello') }
    }
    Show 'install' { Install-EnvPackage tools -Name demo -Channel $url -OverrideChannels }
    Show 'downgrade' { Install-EnvPackage 'libzdemo=1.2' -Name demo -Channel $url -OverrideChannels }
    Show 'packages' { Get-EnvPackage -Name demo }
    Show 'environments' { Get-Env }
    Show 'uninstall' { Uninstall-EnvPackage tools -Name demo }
    Show 'verify' { Test-Env demo -Quiet }
    Show 'remove' { Remove-Env demo -Confirm:$false; Get-Env demo -ErrorAction SilentlyContinue | Measure-Object | Select-Object Count }
}
finally {
    if ($server) { $server | Stop-TestChannelServer }
    Restore-IsolatedConda $saved
    Pop-Location
    Remove-Item -Recurse -Force $work -ErrorAction SilentlyContinue
}
