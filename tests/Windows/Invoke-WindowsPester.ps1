<#
.SYNOPSIS
    Runs the Pester suite (tests\EnvTools.Tests) in the Windows lane's PowerShell; build.ps1 TestWindows calls it.
.DESCRIPTION
    The same configuration as build.ps1 Test on Linux, with the module and the test server's Windows build handed in.
    Prints every failure and skip with its reason, and closes with "Pester: N passed, N failed, N skipped".
    With -RerunFailed (the lane under Wine), the tests that failed are run once more at the end (their files, filtered
    to those tests); one that passes then is printed as [FLAKY] with its first failure kept above and counts as passed.
#>
param(
    [Parameter(Mandatory)] [string] $Pester,
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $TestServer,
    # a part of the tests' full names to run (Describe/Context/It, as build.ps1 -Filter; for example "Activation"); all when empty
    [string] $Filter,
    # run the failed tests once more at the end (only when no block or file failed as a whole)
    [switch] $RerunFailed
)
$ErrorActionPreference = 'Stop'
Import-Module $Pester -MinimumVersion 5.7.1
$env:ENVTOOLS_MODULE = $Module
$env:ENVTOOLS_TESTSERVER = $TestServer
$tests = Join-Path (Split-Path $PSScriptRoot) 'EnvTools.Tests'
$files = @(Get-ChildItem -LiteralPath $tests -Filter '*.Tests.ps1')

$cfg = New-PesterConfiguration
$cfg.Run.Path = [string[]] $files.FullName
$cfg.Run.PassThru = $true
if ($Filter) { $cfg.Filter.FullName = '*' + [WildcardPattern]::Escape($Filter) + '*' }
$cfg.Output.Verbosity = 'Normal'
$cfg.Output.RenderMode = 'Plaintext'
$clock = [Diagnostics.Stopwatch]::StartNew()
$r = Invoke-Pester -Configuration $cfg

foreach ($t in $r.Skipped) {
    $why = "$($t.ErrorRecord | Select-Object -First 1)"
    if (-not $why -and 'UnixOnly' -in ($t.Tag + $t.Block.Tag)) { $why = 'Unix-only (tag UnixOnly; the reason is beside the test)' }
    Write-Host "[SKIP] $($t.ExpandedPath): $why"
}
foreach ($t in $r.Failed) { Write-Host "[FAIL] $($t.ExpandedPath): $("$($t.ErrorRecord | Select-Object -First 1)".Split("`n")[0])" }
foreach ($c in $r.Containers | Where-Object { $_.Result -eq "Failed" -and $_.ErrorRecord.Count -gt 0 }) { Write-Host "[FAIL] the file $($c.Item): $($c.ErrorRecord | Select-Object -First 1)" }
$failed = $r.FailedCount + $r.FailedBlocksCount + $r.FailedContainersCount
$passed = $r.PassedCount
if ($RerunFailed -and $r.FailedCount -gt 0 -and $failed -eq $r.FailedCount) {
    Write-Host "Pester: running the $($r.FailedCount) failed test(s) once more"
    $again = New-PesterConfiguration
    $again.Run.Path = [string[]] @($r.Failed | ForEach-Object { $_.ScriptBlock.File } | Sort-Object -Unique)
    $again.Filter.FullName = [string[]] @($r.Failed | ForEach-Object { [WildcardPattern]::Escape($_.Path -join '.') } | Sort-Object -Unique)
    $again.Run.PassThru = $true
    $again.Output.Verbosity = 'Normal'
    $again.Output.RenderMode = 'Plaintext'
    $second = Invoke-Pester -Configuration $again
    $stillFailing = @($second.Failed | ForEach-Object ExpandedPath)
    $flaky = @($r.Failed | Where-Object { $_.ExpandedPath -notin $stillFailing -and $_.ExpandedPath -in @($second.Passed | ForEach-Object ExpandedPath) })
    foreach ($t in $flaky) { Write-Host "[FLAKY] $($t.ExpandedPath): failed, then passed when run again (its failure is printed above)" }
    foreach ($t in $second.Failed) { Write-Host "[FAIL] again: $($t.ExpandedPath): $("$($t.ErrorRecord | Select-Object -First 1)".Split("`n")[0])" }
    $passed += $flaky.Count
    $failed = $r.FailedCount - $flaky.Count + $second.FailedBlocksCount + $second.FailedContainersCount
    if ($flaky.Count -gt 0) { Write-Host "Pester: $($flaky.Count) test(s) failed once and passed when run again ([FLAKY] above)" }
}
Write-Host "Pester: $([int] $clock.Elapsed.TotalSeconds) s"
Write-Host "Pester: $passed passed, $failed failed, $($r.SkippedCount) skipped"
$code = [int]($failed -gt 0)
Write-Host "Pester: exit code $code"   # the lane tells a process that dies at shutdown from one that failed
exit $code
