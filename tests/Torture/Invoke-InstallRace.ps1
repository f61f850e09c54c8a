#requires -Version 7.4
<#
.SYNOPSIS
    Free races of two installs into one environment, with real processes (a measurement, not in CI).
.DESCRIPTION
    Each run creates an environment with 'base', then starts two child pwsh processes at once: one installs 'pa'
    (depends on dep <2), the other 'pb' (depends on dep >=2). Run one after the other, the second is Unsatisfiable.
    A run is consistent when exactly one install succeeded, the other failed with Unsatisfiable, and the environment
    holds base with pa and dep 1.0 or pb and dep 2.0, with Test-Env clean. Prints the counts.
#>
param(
    [Parameter(Mandatory)] [string] $Module,
    [int] $Runs = 10
)

$ErrorActionPreference = 'Stop'
Import-Module $Module -Force
Import-Module (Join-Path $PSScriptRoot '../EnvTools.Tests/TestPackages.psm1') -Force
$root = Join-Path ([IO.Path]::GetTempPath()) ("envtools-race-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory $root | Out-Null
$saved = Use-IsolatedConda -Root (Join-Path $root 'conda')
$pwsh = (Get-Process -Id $PID).Path
$pwshArgs = if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }

$chan = Join-Path $root 'channel'
New-TestPackage -Channel $chan -Name base -Version 1.0 | Out-Null
New-TestPackage -Channel $chan -Name dep -Version 1.0 -Files @{ 'share/dep.txt' = "dep 1`n" } | Out-Null
New-TestPackage -Channel $chan -Name dep -Version 2.0 -Files @{ 'share/dep.txt' = "dep 2`n" } | Out-Null
New-TestPackage -Channel $chan -Name pa -Version 1.0 -Depends 'dep <2' -Files @{ 'share/pa.txt' = "pa`n" } | Out-Null
New-TestPackage -Channel $chan -Name pb -Version 1.0 -Depends 'dep >=2' -Files @{ 'share/pb.txt' = "pb`n" } | Out-Null
Update-TestChannelIndex $chan | Out-Null

function Start-Install([string] $Prefix, [string] $Spec) {
    $out = Join-Path $root "$([guid]::NewGuid().ToString('N')).out"
    $script = "$out.ps1"
    Set-Content $script @"
Import-Module '$Module'
try { Install-EnvPackage $Spec -Prefix '$Prefix' -Channel '$chan' -ErrorAction Stop | Out-Null; 'OK' } catch { 'ERR ' + `$_.FullyQualifiedErrorId.Split(',')[0] }
"@
    $p = Start-Process -FilePath $pwsh -ArgumentList (@($pwshArgs) + @('-NoProfile', '-NonInteractive', '-File', $script)) -RedirectStandardOutput $out -PassThru -NoNewWindow
    [pscustomobject]@{ Process = $p; Out = $out }
}

$consistent = 0
$bothSucceeded = 0
for ($i = 1; $i -le $Runs; $i++) {
    $prefix = Join-Path $root "e/race-$i"
    New-Env -Prefix $prefix base -Channel $chan | Out-Null
    $a = Start-Install $prefix pa
    $b = Start-Install $prefix pb
    $a.Process.WaitForExit(); $b.Process.WaitForExit()
    $results = @((Get-Content $a.Out -Raw).Trim(), (Get-Content $b.Out -Raw).Trim())
    $installed = (Get-EnvPackage -Prefix $prefix | ForEach-Object { "$($_.Name)=$($_.Version)" }) -join ' '
    $clean = -not (Test-Env -Prefix $prefix)
    $ok = @($results | Where-Object { $_ -eq 'OK' }).Count
    if ($ok -eq 2) { $bothSucceeded++ }
    $good = $ok -eq 1 -and @($results | Where-Object { $_ -eq 'ERR Unsatisfiable' }).Count -eq 1 -and $clean -and
        $installed -in @('base=1.0 dep=1.0 pa=1.0', 'base=1.0 dep=2.0 pb=1.0')
    if ($good) { $consistent++ }
    Write-Host ("run {0,2}: {1,-40} {2,-32} {3}" -f $i, ($results -join ' / '), $installed, $(if ($good) { 'consistent' } else { 'BROKEN' }))
}

Restore-IsolatedConda $saved
Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
Write-Host "$consistent/$Runs runs consistent; both installs 'succeeded' in $bothSucceeded"
