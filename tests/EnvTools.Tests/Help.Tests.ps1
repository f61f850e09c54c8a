# The cmdlet help (Get-Help), as build.ps1 writes it from the cmdlet classes' XML documentation with
# src/EnvTools/Help/New-MamlHelp.ps1: every cmdlet has a synopsis, a description, a description of each parameter,
# INPUTS, OUTPUTS and RELATED LINKS, and examples whose code parses, calls EnvTools cmdlets with parameters they have
# and arguments they can bind, and comes with an explanation and sample output (or says that it prints nothing).
BeforeDiscovery {
    $script:cmdlets = (Import-PowerShellDataFile (Join-Path $PSScriptRoot '../../EnvTools.psd1')).CmdletsToExport
}

BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    $script:docHeadings = Get-Content (Join-Path $PSScriptRoot '../../docs/cmdlets.md') | Where-Object { $_ -match '^## ' }

    # An example's code as New-MamlHelp.ps1 writes it: "PS> <code>", then a blank line and the sample output.
    function Split-Example($example) {
        $text = ($example.code -join "`n") -replace "`r", ''
        $parts = $text -split "`n`n", 2
        [pscustomobject]@{
            Code    = $parts[0] -replace '^PS> ', ''
            Output  = if ($parts.Count -gt 1) { $parts[1].Trim() } else { '' }
            Remarks = (($example.remarks | ForEach-Object Text) -join ' ').Trim()
        }
    }

    # The problems of one example's code: parse errors, EnvTools cmdlets called with parameters they do not have
    # (names and aliases, no abbreviations) or arguments they cannot bind (PowerShell's static binder).
    function Get-ExampleCodeProblem([string] $Code) {
        $tokens = $null; $errors = $null
        $ast = [System.Management.Automation.Language.Parser]::ParseInput($Code, [ref] $tokens, [ref] $errors)
        foreach ($e in $errors) { "parse error: $($e.Message)" }
        $calls = $ast.FindAll({ $args[0] -is [System.Management.Automation.Language.CommandAst] }, $true) |
            Where-Object { ($n = $_.GetCommandName()) -and (Get-Command $n -Module EnvTools -ErrorAction Ignore) }
        if (-not $calls) { 'calls no EnvTools cmdlet' }
        foreach ($call in $calls) {
            $cmd = Get-Command $call.GetCommandName() -Module EnvTools
            $names = @($cmd.Parameters.Values | ForEach-Object { $_.Name; $_.Aliases })
            foreach ($p in $call.CommandElements | Where-Object { $_ -is [System.Management.Automation.Language.CommandParameterAst] }) {
                if ($names -notcontains $p.ParameterName) { "$($cmd.Name) has no parameter -$($p.ParameterName)" }
            }
            $bound = [System.Management.Automation.Language.StaticParameterBinder]::BindCommand($call, $true)
            foreach ($b in $bound.BindingExceptions.GetEnumerator()) {
                "$($cmd.Name) cannot bind '$($b.Key)': $($b.Value.BindingException.ErrorId)"
            }
        }
    }
}

Describe 'Cmdlet help of <_>' -ForEach $cmdlets {
    BeforeAll {
        $script:name = $_
        $script:help = Get-Help $name -Full
        $script:command = Get-Command $name -Module EnvTools
        $script:examples = @($help.examples.example | Where-Object { $_ } | ForEach-Object { Split-Example $_ })
    }

    It 'has a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*\S+-\S+\s*(\[|$)' -Because 'PowerShell''s generated syntax stub is no synopsis'
        ($help.description | Out-String).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'describes every parameter' {
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        $own = @($command.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object)
        $documented = @($help.parameters.parameter | Where-Object { $_ } | ForEach-Object name | Sort-Object)
        $documented | Should -Be $own
        foreach ($p in $help.parameters.parameter | Where-Object { $_ }) {
            ($p.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$($p.name) needs a description"
        }
    }

    It 'has examples, each with an explanation and sample output, or an explanation that says it prints nothing' {
        $examples.Count | Should -BeGreaterThan 0
        foreach ($e in $examples) {
            $e.Remarks | Should -Not -BeNullOrEmpty -Because "the example '$($e.Code)' needs an explanation (<para>)"
            if (-not $e.Output) {
                $e.Remarks | Should -Match 'prints nothing' -Because "the example '$($e.Code)' needs sample output (<output>) or to say that it prints nothing"
            }
        }
    }

    It 'has example code that parses and calls EnvTools cmdlets with their own parameters' {
        foreach ($e in $examples) {
            Get-ExampleCodeProblem $e.Code | Should -BeNullOrEmpty -Because "the example is '$($e.Code)'"
        }
    }

    It 'lists the INPUTS: the types of the parameters that bind from the pipeline' {
        $inputs = @($help.inputTypes.inputType | ForEach-Object { $_.type.name })
        $inputs | Should -Not -BeNullOrEmpty
        $piped = @($command.Parameters.Values | Where-Object {
                $_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and ($_.ValueFromPipeline -or $_.ValueFromPipelineByPropertyName) }
            } | ForEach-Object { $t = $_.ParameterType; if ($t.IsArray) { $t.GetElementType().FullName } else { $t.FullName } } | Sort-Object -Unique)
        if ($piped) { $inputs | Sort-Object | Should -Be $piped }
        else { $inputs | Should -Be 'None' }
    }

    It 'lists the OUTPUTS ([OutputType]), and a cmdlet with -PassThru has an output type' {
        $command.OutputType | Should -Not -BeNullOrEmpty -Because 'every cmdlet declares [OutputType] (typeof(void) when it writes nothing)'
        $outputs = @($help.returnValues.returnValue | ForEach-Object { $_.type.name })
        $declared = @($command.OutputType | ForEach-Object { if ($_.Type -eq [void]) { 'None' } else { $_.Type.FullName } })
        $outputs | Should -Be $declared
        foreach ($o in $help.returnValues.returnValue) {
            ($o.description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "the output $($o.type.name) needs a description"
        }
        if ($command.Parameters.ContainsKey('PassThru')) {
            $declared | Should -Not -Contain 'None' -Because '-PassThru writes objects'
        }
    }

    It 'has RELATED LINKS: other EnvTools cmdlets, about_EnvTools and its section of docs/cmdlets.md' {
        $links = @($help.relatedLinks.navigationLink)
        $related = @($links | Where-Object { $_.linkText -match '^\w+-\w+$' } | ForEach-Object linkText)
        $related | Should -Not -BeNullOrEmpty
        foreach ($r in $related) {
            Get-Command $r -Module EnvTools -ErrorAction Ignore | Should -Not -BeNullOrEmpty -Because "$r is an EnvTools cmdlet"
            $r | Should -Not -Be $name
        }
        $links.linkText | Should -Contain 'about_EnvTools'
        $docs = $links | Where-Object uri -like 'docs/cmdlets.md#*'
        $docs | Should -Not -BeNullOrEmpty
        $anchors = $docHeadings | ForEach-Object { 'docs/cmdlets.md#' + (($_.Substring(3).Trim().ToLowerInvariant() -replace '[^\w\- ]', '') -replace ' ', '-') }
        $anchors | Should -Contain $docs.uri
        $docs.linkText | Should -Match ([regex]::Escape($name))
    }
}
