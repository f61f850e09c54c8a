#requires -Version 7.4
<#
.SYNOPSIS
    Kill-and-verify torture with real processes (build.ps1 Torture; not in CI).
.DESCRIPTION
    For each change (create, install, update, uninstall) and each trial, a fresh environment is set up, then a child
    pwsh runs the change with the built module and is killed inside it: either at a random step of the transaction
    (ENVTOOLS_TEST_CRASH_AT=point:N, which ends the process with Environment.FailFast) or, one trial in three, by
    SIGKILL at a random moment after it planned (with the packages to link removed from the cache first, so that the
    kill may land in the download or the extraction). Then, in this process:
      readers   Get-EnvPackage, Test-Env, Export-Env and Get-Env work (no error but EnvironmentNotFound for a create)
      next      the next command (a dry run, or New-Env of the same name for a create) restores the old or the new
                tree exactly (every file and its hash; conda-meta/history aside): counted as old, new or broken
      clean     Test-Env is clean, and after the change is run again no partial file is left in the package cache
    Prints a table per change: trials, killed, old, new, broken, reader errors, cache leftovers.
#>
param(
    [Parameter(Mandatory)] [string] $Module,
    [int] $Trials = 50,
    [int] $Seed = 16,
    [string[]] $Operation = @('create', 'install', 'update', 'uninstall')
)

$ErrorActionPreference = 'Stop'
Import-Module $Module -Force
Import-Module (Join-Path $PSScriptRoot '../EnvTools.Tests/TestPackages.psm1') -Force

$root = Join-Path ([IO.Path]::GetTempPath()) ("envtools-torture-" + [guid]::NewGuid().ToString('N').Substring(0, 8))
New-Item -ItemType Directory $root | Out-Null
$saved = Use-IsolatedConda -Root (Join-Path $root 'conda')
$random = [Random]::new($Seed)
$pwsh = (Get-Process -Id $PID).Path
$pwshArgs = if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }

function Files([string] $Name, [string] $Text, [int] $Count) {
    $h = @{ "lib/$Name-$Text.txt" = $Text }
    for ($i = 0; $i -lt $Count; $i++) { $h["share/$Name/f$i.txt"] = "$Name $Text $i`n" }
    $h
}

$chan = Join-Path $root 'channel'
New-TestPackage -Channel $chan -Name lib -Version 1.0 -Files (Files lib one 6) | Out-Null
New-TestPackage -Channel $chan -Name lib -Version 2.0 -Files (Files lib two 7) | Out-Null
New-TestPackage -Channel $chan -Name app -Version 1.0 -Depends 'lib' -Files (Files app app 4) | Out-Null
New-TestPackage -Channel $chan -Name tool -Version 1.0 -Files (Files tool tool 9) | Out-Null
Update-TestChannelIndex $chan | Out-Null

# Per change: how to set up the old state, the command, the packages it links (their cache entries are dropped
# before a SIGKILL trial), and the transaction steps a crash point is drawn from (point, highest count).
$changes = [ordered]@{
    create    = @{ Setup = { param($p) }; Command = "New-Env -Prefix '{0}' app -Channel '$chan'"; Links = @('app-1.0-0', 'lib-2.0-0')
                   Steps = @(@('link', 13), @('records', 0), @('commit', 0), @('committed', 0)) }
    install   = @{ Setup = { param($p) New-Env -Prefix $p 'lib=1.0' -Channel $chan | Out-Null }; Command = "Install-EnvPackage app tool -Prefix '{0}' -Channel '$chan'"
                   Links = @('app-1.0-0', 'tool-1.0-0'); Steps = @(@('link', 15), @('records', 0), @('commit', 0), @('committed', 0)) }
    update    = @{ Setup = { param($p) New-Env -Prefix $p 'lib<2' app -Channel $chan | Out-Null; Set-Content (Join-Path $p 'conda-meta/history') '' }
                   Command = "Update-EnvPackage lib -Prefix '{0}' -Channel '$chan'"; Links = @('lib-2.0-0')
                   Steps = @(@('unlink', 7), @('link', 8), @('records', 0), @('commit', 0), @('committed', 0)) }
    uninstall = @{ Setup = { param($p) New-Env -Prefix $p app tool -Channel $chan | Out-Null }; Command = "Uninstall-EnvPackage tool -Prefix '{0}'"; Links = @()
                   Steps = @(@('unlink', 10), @('records', 0), @('commit', 0), @('committed', 0)) }
}

function Tree([string] $Prefix) {
    if (-not (Test-Path $Prefix)) { return '' }
    (Get-TreeDigest $Prefix -Exclude 'conda-meta/history', 'conda-meta/.envtools.lock') -join "`n"
}

function Start-Change([string] $Command, [string] $CrashAt) {
    $dir = Join-Path $root 'children'
    New-Item -ItemType Directory $dir -Force | Out-Null
    $id = [guid]::NewGuid().ToString('N').Substring(0, 8)
    $script = Join-Path $dir "$id.ps1"
    $verbose = Join-Path $dir "$id.verbose"
    Set-Content $script "`$ErrorActionPreference = 'Stop'; Import-Module '$Module'; $Command -Verbose 4> '$verbose' | Out-Null"
    if ($CrashAt) { $env:ENVTOOLS_TEST_CRASH_AT = $CrashAt }
    $env:DOTNET_DbgEnableMiniDump = '0'
    try {
        $p = Start-Process -FilePath $pwsh -ArgumentList (@($pwshArgs) + @('-NoProfile', '-NonInteractive', '-File', $script)) `
            -RedirectStandardOutput (Join-Path $dir "$id.out") -RedirectStandardError (Join-Path $dir "$id.err") -PassThru -NoNewWindow
    }
    finally { Remove-Item env:ENVTOOLS_TEST_CRASH_AT -ErrorAction SilentlyContinue }
    [pscustomobject]@{ Process = $p; Verbose = $verbose }
}

function Test-Readers([string] $Prefix, [bool] $Create) {
    $errors = @()
    foreach ($reader in @(
            { Get-EnvPackage -Prefix $Prefix | Out-Null },
            { Test-Env -Prefix $Prefix | Out-Null },
            { Export-Env -Prefix $Prefix | Out-Null },
            { Get-Env | Out-Null })) {
        try { & $reader 3>$null }
        catch {
            if (-not ($Create -and $_.FullyQualifiedErrorId -like 'EnvironmentNotFound,*')) { $errors += "$($_.FullyQualifiedErrorId): $_" }
        }
    }
    $errors
}

$table = foreach ($name in $Operation) {
    $change = $changes[$name]
    $prefix = Join-Path $env:CONDA_ENVS_DIRS $name
    $pkgs = $env:CONDA_PKGS_DIRS
    # the new tree: the change run to its end
    if (Test-Path $prefix) { Remove-Item $prefix -Recurse -Force }
    & $change.Setup $prefix
    $old = Tree $prefix
    $child = Start-Change ($change.Command -f $prefix) $null
    $child.Process.WaitForExit()
    if ($child.Process.ExitCode -ne 0) { throw "$name does not complete: exit code $($child.Process.ExitCode)" }
    $new = Tree $prefix

    $row = [ordered]@{ Change = $name; Trials = 0; Killed = 0; Old = 0; New = 0; Broken = 0; ReaderErrors = 0; CacheLeftovers = 0 }
    for ($t = 0; $t -lt $Trials; $t++) {
        if (Test-Path $prefix) { Remove-Item $prefix -Recurse -Force }
        & $change.Setup $prefix
        $sigkill = ($t % 3) -eq 2
        if ($sigkill) {
            foreach ($entry in $change.Links) { Remove-Item (Join-Path $pkgs $entry), (Join-Path $pkgs "$entry.conda") -Recurse -Force -ErrorAction SilentlyContinue }
            $child = Start-Change ($change.Command -f $prefix) $null
            $deadline = [DateTime]::UtcNow.AddSeconds(60)
            while (-not $child.Process.HasExited -and [DateTime]::UtcNow -lt $deadline -and
                -not ((Test-Path $child.Verbose) -and (Select-String -Path $child.Verbose -Pattern 'change\(s\)' -Quiet))) { Start-Sleep -Milliseconds 5 }
            Start-Sleep -Milliseconds ($random.Next(0, 400))
            if (-not $child.Process.HasExited) { $child.Process.Kill(); $row.Killed++ }
            $child.Process.WaitForExit()
        }
        else {
            $step = $change.Steps[$random.Next(0, $change.Steps.Count)]
            $count = if ($step[1] -gt 0) { $random.Next(1, $step[1] + 1) } else { 0 }
            $child = Start-Change ($change.Command -f $prefix) "$($step[0]):$count"
            $child.Process.WaitForExit()
            if ($child.Process.ExitCode -ne 0) { $row.Killed++ }
        }
        $row.Trials++

        $readerErrors = @(Test-Readers $prefix ($name -eq 'create'))
        if ($readerErrors.Count -gt 0) { $row.ReaderErrors++; Write-Warning "$name trial ${t}: $($readerErrors -join '; ')" }

        # the next command
        try {
            if ($name -eq 'create') {
                if ((Get-Env).Prefix -contains $prefix) { Install-EnvPackage lib -Prefix $prefix -Channel $chan -DryRun | Out-Null; $state = Tree $prefix }
                else { $state = $old }
            }
            else {
                Install-EnvPackage lib -Prefix $prefix -Channel $chan -DryRun | Out-Null
                $state = Tree $prefix
            }
            $clean = $null -eq (Test-Env -Prefix $prefix -ErrorAction SilentlyContinue | Where-Object { $_ -isnot [bool] })
        }
        catch { $state = "error: $_"; $clean = $false }
        if ($state -eq $new -and $clean) { $row.New++ }
        elseif ($state -eq $old -and $clean) { $row.Old++ }
        else { $row.Broken++; Write-Warning "$name trial ${t}: broken ($state)" }

        # the change again completes, and leaves nothing partial in the cache
        try {
            if ($state -ne $new) {
                & ([scriptblock]::Create(($change.Command -f $prefix))) | Out-Null
            }
        }
        catch { $row.Broken++; Write-Warning "$name trial ${t}: the change run again failed: $_" }
        if (Get-ChildItem $pkgs -Force -Filter '*partial*') { $row.CacheLeftovers++ }
    }
    [pscustomobject]$row
}

Restore-IsolatedConda $saved
Remove-Item $root -Recurse -Force -ErrorAction SilentlyContinue
$table | Format-Table -AutoSize | Out-String | Write-Host
if (($table | Measure-Object -Property Broken -Sum).Sum + ($table | Measure-Object -Property ReaderErrors -Sum).Sum + ($table | Measure-Object -Property CacheLeftovers -Sum).Sum -gt 0) { exit 1 }
