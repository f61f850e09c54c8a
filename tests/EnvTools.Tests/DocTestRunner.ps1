#requires -Version 7.4
# Runs the commands of one Markdown file's examples (Docs.Tests.ps1 starts it in a child pwsh, the repository root as
# the working folder) one after the other in this session's script scope, as typed at a prompt: variables, the
# location, $ErrorActionPreference and activations carry over from one command to the next, an error ends only the
# command that raised it. What each command prints goes to -ResultFile, one JSON line per command ({Id, Output,
# Errors}): the success output formatted by Out-String -Width, warnings and verbose lines with their prefixes,
# Write-Host lines, a native program's standard error lines, and errors as ConciseView prints them at a prompt
# ("Cmdlet: message"). What a command writes straight to the host (-WhatIf's "What if:" lines) goes to standard output
# after a marker line (0x1F "doc-host:" Id); Read-DocResult (DocTest.psm1) puts it before the command's output.
param(
    [Parameter(Mandatory)] [string] $CommandFile,
    [Parameter(Mandatory)] [string] $ResultFile,
    [Parameter(Mandatory)] [string] $Module,
    [int] $Width = 200
)
Import-Module $Module

function Format-DocError([System.Management.Automation.ErrorRecord] $Record) {
    $message = if ($Record.ErrorDetails -and $Record.ErrorDetails.Message) { $Record.ErrorDetails.Message } else { $Record.Exception.Message }
    $command = $Record.InvocationInfo.MyCommand
    $prefix = if ($command -and $command.Name) { $command.Name }
              elseif ($Record.Exception -is [System.Management.Automation.RuntimeException] -and $Record.Exception.WasThrownFromThrowStatement) { 'Exception' }
              else { $Record.Exception.GetType().Name }
    "${prefix}: $message"
}

function Format-DocOutput([System.Collections.Generic.List[object]] $Records) {
    $text = [System.Text.StringBuilder]::new()
    $batch = [System.Collections.Generic.List[object]]::new()
    $errors = [System.Collections.Generic.List[string]]::new()
    $flush = {
        if ($batch.Count) { [void] $text.Append(($batch | Out-String -Width $Width)); $batch.Clear() }
    }
    foreach ($r in $Records) {
        $line = switch ($r) {
            # a native program's standard error: its lines, as a terminal shows them
            { $_ -is [System.Management.Automation.ErrorRecord] -and $_.FullyQualifiedErrorId -like 'NativeCommandError*' } { "$($_.Exception.Message)"; break }
            { $_ -is [System.Management.Automation.ErrorRecord] } { $e = Format-DocError $_; $errors.Add(($e -split "`n")[0]); $e; break }
            { $_ -is [System.Management.Automation.WarningRecord] } { "WARNING: $($_.Message)"; break }
            { $_ -is [System.Management.Automation.VerboseRecord] } { "VERBOSE: $($_.Message)"; break }
            { $_ -is [System.Management.Automation.DebugRecord] } { "DEBUG: $($_.Message)"; break }
            { $_ -is [System.Management.Automation.InformationRecord] } { "$($_.MessageData)"; break }
            default { $null }
        }
        if ($null -eq $line) { $batch.Add($r); continue }
        & $flush
        [void] $text.Append("$line`n")
    }
    & $flush
    @{ Output = $text.ToString(); Errors = $errors.ToArray() }
}

$__docCommands = Get-Content -LiteralPath $CommandFile -Raw | ConvertFrom-Json
foreach ($__docCommand in $__docCommands) {
    $__docRecords = [System.Collections.Generic.List[object]]::new()
    # what the command writes straight to the host (-WhatIf's lines) follows this marker on standard output
    [Console]::Out.WriteLine("$([char] 0x1F)doc-host:$($__docCommand.Id)")
    [Console]::Out.Flush()
    try {
        . ([scriptblock]::Create($__docCommand.Text)) *>&1 | ForEach-Object { $__docRecords.Add($_) }
    }
    catch {
        $__docRecords.Add($_)
    }
    [Console]::Out.Flush()
    $__docResult = Format-DocOutput $__docRecords
    $__docResult.Id = $__docCommand.Id
    Add-Content -LiteralPath $ResultFile -Value ($__docResult | ConvertTo-Json -Compress -Depth 3)
}
