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

Show 'search' { Find-EnvPackage 'pandas>=2' -Channel $channel -Platform linux-64 | Select-Object -First 4 }

Show 'solve' { Resolve-EnvPackage pandas 'python=3.11' -Channel $channel -Platform linux-64 -VirtualPackage __glibc=2.28 }

Show 'cuda' { Resolve-EnvPackage pytorch -Channel $channel -Platform linux-64 -VirtualPackage __glibc=2.28, __cuda=12.4 | Where-Object Name -in pytorch, cuda-version }

Show 'no cuda' { Resolve-EnvPackage pytorch -Channel $channel -Platform linux-64 -VirtualPackage __glibc=2.28 | Where-Object Name -eq pytorch }

Show 'another platform' { Resolve-EnvPackage pandas -Channel $channel -Platform osx-arm64 | Format-Table Name, Version, Build, Subdir }

Show 'conflict' {
    try { Resolve-EnvPackage legacy-analysis -Channel $channel -Platform linux-64 -VirtualPackage __glibc=2.28 -ErrorAction Stop }
    catch { "ErrorId: $($_.FullyQualifiedErrorId)"; $_.Exception.Message }
}
