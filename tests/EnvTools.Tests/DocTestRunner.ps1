#requires -Version 7.4
# Runs the commands of one Markdown file's examples (Docs.Tests.ps1 starts it in a child pwsh, the repository root as
# the working folder) one after the other in this session, as typed at a prompt: variables, the
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
    # ConciseView's one-line form: "<reason>: <message>", the reason chosen as PowerShell chooses it
    $message = if ($Record.ErrorDetails -and $Record.ErrorDetails.Message) { $Record.ErrorDetails.Message } else { $Record.Exception.Message }
    $command = $Record.InvocationInfo.MyCommand
    $info = $Record.CategoryInfo
    $reason = if ($Record.Exception -is [System.Management.Automation.RuntimeException] -and $Record.Exception.WasThrownFromThrowStatement) { 'Exception' }
              elseif ($command -and $command.Name -and $command -isnot [System.Management.Automation.ScriptInfo]) { $command.Name }
              elseif ($info.Activity) { $info.Activity }
              elseif ($Record.InvocationInfo.InvocationName) { $Record.InvocationInfo.InvocationName }
              elseif ($info.Category -ne 'NotSpecified') { "$($info.Category)" }
              else { $info.Reason }
    $text = "${reason}: $message"
    if ($Record.ErrorDetails -and $Record.ErrorDetails.RecommendedAction) { $text += "`n  Recommendation: $($Record.ErrorDetails.RecommendedAction)" }
    $text
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
    # A nested pipeline of this runspace, started from the script's own scope (not from a function): the command's
    # variables stay for the next ones, and no try/catch encloses it, so that a statement-terminating error ends only
    # its statement, as at a prompt. Every stream is merged into the output, in order.
    $__docShell = [powershell]::Create([System.Management.Automation.RunspaceMode]::CurrentRunspace)
    [void] $__docShell.AddScript($__docCommand.Text, $false)
    $__docShell.Commands.Commands[0].MergeMyResults('All', 'Output')
    try {
        foreach ($__docRecord in $__docShell.Invoke()) { $__docRecords.Add($__docRecord) }
    }
    catch {
        # a terminating error (throw, -ErrorAction Stop): its record, out of the invocation's wrapping exception
        $__docError = $_.Exception
        while ($__docError -is [System.Management.Automation.MethodInvocationException] -and $__docError.InnerException) { $__docError = $__docError.InnerException }
        $__docRecords.Add($(if ($__docError -is [System.Management.Automation.IContainsErrorRecord]) { $__docError.ErrorRecord } else { $_ }))
    }
    finally {
        $__docShell.Dispose()
    }
    [Console]::Out.Flush()
    $__docResult = Format-DocOutput $__docRecords
    $__docResult.Id = $__docCommand.Id
    Add-Content -LiteralPath $ResultFile -Value ($__docResult | ConvertTo-Json -Compress -Depth 3)
}
