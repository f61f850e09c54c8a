# The docs test's parts (Docs.Tests.ps1): reading the ```powershell examples of a Markdown file, running them in a
# child pwsh (DocTestRunner.ps1), and comparing what they print with what the file shows, as Python's doctest does.
#
# An example is a ```powershell block of `PS> ` commands (a prompt such as `(demo) PS> ` too), each followed by
# `>> ` continuation lines and then the lines it prints. The comparison ignores trailing whitespace, runs of spaces
# (table alignment), blank lines at the start and end, and repeated blank lines; `…` stands for any text within a line,
# and a line that is only `…` for any number of lines. A block that cannot run here is marked on the line just before
# it with `<!-- doctest: skip (reason) -->`; a skip without a reason is an error.

$script:PromptPattern = '^(?:\([^)]*\) )?PS>(?: (?<text>.*))?$'
$script:ContinuationPattern = '^>>(?: (?<text>.*))?$'
$script:MarkerPattern = '^\s*<!--\s*doctest\b:?(?<rest>.*?)-->\s*$'

function Get-DocExample {
    <#
    The ```powershell blocks of a Markdown file, in order, as hashtables (Pester's -ForEach data): File (as given by
    -Name), Line (of the opening fence),
    SkipReason (null: runs; '': marked skip without a reason), Problem (a block that breaks the format), Commands
    (Line, Text, Expected lines).
    #>
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [string] $Name)
    $lines = [IO.File]::ReadAllLines($Path)
    $examples = [Collections.Generic.List[object]]::new()
    $i = 0
    while ($i -lt $lines.Count) {
        if ($lines[$i] -notmatch '^```') { $i++; continue }
        $isPowerShell = $lines[$i] -match '^```powershell\s*$'
        $start = $i
        $body = [Collections.Generic.List[string]]::new()
        $i++
        while ($i -lt $lines.Count -and $lines[$i] -notmatch '^```\s*$') { $body.Add($lines[$i]); $i++ }
        $i++
        $example = @{ File = $Name; Line = $start + 1; SkipReason = $null; Problem = $null; Commands = @() }
        if (-not $isPowerShell) {
            # PowerShell commands in another kind of block would never be run
            if (@($body | Where-Object { $_ -match $script:PromptPattern }).Count) {
                $example.Problem = 'a block with PS> commands must be a ```powershell block, so that the docs test runs it'
                $examples.Add($example)
            }
            continue
        }
        $previous = if ($start -gt 0) { $lines[$start - 1] } else { '' }
        if ($previous -match $script:MarkerPattern) {
            if ($Matches.rest -match '^\s*skip\s*(?:\((?<reason>.*)\))?\s*$') { $example.SkipReason = "$($Matches.reason)".Trim() }
            else { $example.Problem = "unknown doctest marker '$previous' (the one marker is <!-- doctest: skip (reason) -->)" }
        }
        $commands = [Collections.Generic.List[object]]::new()
        $current = $null
        $inOutput = $false
        for ($k = 0; $k -lt $body.Count; $k++) {
            $line = $body[$k]
            if ($line -match $script:PromptPattern) {
                $current = [ordered]@{ Line = $start + 2 + $k; Text = "$($Matches.text)"; Expected = [Collections.Generic.List[string]]::new() }
                $commands.Add($current)
                $inOutput = $false
            }
            elseif ($null -eq $current) {
                if ($line.Trim()) { $example.Problem = "line $($start + 2 + $k) comes before the first PS> command: '$line'" }
            }
            elseif (-not $inOutput -and $line -match $script:ContinuationPattern) {
                $current.Text += "`n$($Matches.text)"
            }
            else {
                $inOutput = $true
                $current.Expected.Add($line)
            }
        }
        if ($commands.Count -eq 0 -and -not $example.Problem) { $example.Problem = 'the block has no PS> command' }
        $example.Commands = @($commands | ForEach-Object { [pscustomobject] @{ Line = $_.Line; Text = $_.Text; Expected = [string[]] $_.Expected } })
        $examples.Add($example)
    }
    $examples
}

function ConvertTo-DocText {
    <# Lines as the comparison sees them: no trailing whitespace, runs of spaces as one, blank runs as one, none at the ends. #>
    param([AllowEmptyCollection()] [AllowNull()] [string[]] $Lines)
    $out = [Collections.Generic.List[string]]::new()
    foreach ($l in @($Lines | ForEach-Object { "$_" -split '\r?\n' })) {
        $l = ($l -replace '\s+$', '') -replace ' {2,}', ' '
        if ($l -eq '' -and ($out.Count -eq 0 -or $out[$out.Count - 1] -eq '')) { continue }
        $out.Add($l)
    }
    while ($out.Count -gt 0 -and $out[$out.Count - 1] -eq '') { $out.RemoveAt($out.Count - 1) }
    $out.ToArray()
}

function ConvertTo-DocPattern {
    <# A regex for one expected line (`…` is any text), or for a line that is only `…` (any number of lines). #>
    param([string] $Line)
    if ($Line.Trim() -eq '…') { return '(?:[^\n]*\n)*?' }
    (($Line -split '…' | ForEach-Object { [regex]::Escape($_) }) -join '[^\n]*') + '\n'
}

function Compare-DocOutput {
    <#
    Null when $Actual (the text a command printed) matches the expected lines, else a message with both. Each error the
    command wrote ($ErrorLines: the first line of each) must also be on an expected line of its own (not only under a
    bare `…`), so that an error is never hidden by a wildcard.
    #>
    param([AllowEmptyCollection()] [string[]] $Expected, [AllowEmptyString()] [AllowNull()] [string] $Actual, [string[]] $ErrorLines = @())
    $exp = @(ConvertTo-DocText $Expected)
    $act = @(ConvertTo-DocText @("$Actual"))
    $pattern = '^' + (($exp | ForEach-Object { ConvertTo-DocPattern $_ }) -join '') + '$'
    $text = ($act | ForEach-Object { "$_`n" }) -join ''
    $problems = @()
    if (-not [regex]::IsMatch($text, $pattern)) { $problems += 'the output differs' }
    foreach ($err in $ErrorLines) {
        $e = @(ConvertTo-DocText @($err))[0]
        $shown = $exp | Where-Object { $_.Trim() -ne '…' -and [regex]::IsMatch("$e`n", '^' + (ConvertTo-DocPattern $_) + '$') }
        if (-not $shown) { $problems += "an error the example does not show: $e" }
    }
    if (-not $problems) { return $null }
    "$($problems -join '; ')`n--- expected`n$($exp -join "`n")`n--- actual`n$($act -join "`n")"
}

function Read-DocResult {
    <#
    What DocTestRunner.ps1 reported, by command Id: Output (what went straight to the host, from its standard output
    after the command's marker line, then what the command wrote) and Errors.
    #>
    param([Parameter(Mandatory)] [string] $ResultFile, [Parameter(Mandatory)] [string] $StdoutFile)
    $hostText = @{}
    $id = $null
    foreach ($line in @(Get-Content -LiteralPath $StdoutFile -ErrorAction Ignore)) {
        if ($line.StartsWith("$([char] 0x1F)doc-host:")) { $id = $line.Substring(10); $hostText[$id] = ''; continue }
        if ($null -ne $id) { $hostText[$id] += "$line`n" }
    }
    $results = @{}
    foreach ($line in @(Get-Content -LiteralPath $ResultFile -ErrorAction Ignore)) {
        $r = $line | ConvertFrom-Json
        $results[$r.Id] = [pscustomobject] @{ Output = "$($hostText[$r.Id])$($r.Output)"; Errors = @($r.Errors) }
    }
    $results
}

Export-ModuleMember -Function Get-DocExample, ConvertTo-DocText, Compare-DocOutput, Read-DocResult
