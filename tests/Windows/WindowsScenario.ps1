<#
.SYNOPSIS
    EnvTools end to end on Windows (the Windows lane's scenario; build.ps1 TestWindows runs it under Wine 10).
.DESCRIPTION
    Builds a win-64 channel with the engine's PackageBuilder (python with a stand-in python.exe, a library with
    Library\bin and .bat/.ps1 activation scripts, a noarch: python package with an entry point, a noarch: generic
    one), then walks one environment through its life: create with the Windows layout, install, the entry point,
    the .pyc files compiled by the environment's python.exe, Test-Env, Get-Env sizes, Enable-Env (PATH order,
    activate.d), Disable-Env (the session's environment restored exactly), uninstall, Remove-Env, Clear-EnvCache.
    Prints one line per check and closes with "scenario: N passed, N failed"; exit code 1 when a check failed.
.PARAMETER Module
    The built module's manifest (out\EnvTools\EnvTools.psd1).
.PARAMETER Python
    The stand-in python.exe (tests\Windows\StandIns\python-standin.c, built with mingw-w64).
.PARAMETER Root
    Where the scenario works (removed first); its name has a space, as a Windows user folder often does.
#>
param(
    [Parameter(Mandatory)] [string] $Module,
    [Parameter(Mandatory)] [string] $Python,
    [string] $Root = (Join-Path ([IO.Path]::GetTempPath()) 'EnvTools Scenario')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version 3.0
$script:results = [Collections.Generic.List[object]]::new()

function Step {
    # Runs one check: it passes when the block neither throws nor returns $false; what else it returns is shown.
    param([Parameter(Mandatory)] [string] $Name, [Parameter(Mandatory)] [scriptblock] $Check)
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $ok = $true; $note = ''
    try {
        $out = @(& $Check)
        if ($out.Count -gt 0 -and $out[-1] -is [bool]) { $ok = $out[-1]; $out = @($out | Select-Object -SkipLast 1) }
        $note = ($out | ForEach-Object { "$_" }) -join ' | '
        if (-not $ok) { $note = "the check returned false. $note" }
    }
    catch { $ok = $false; $note = "$_ (line $($_.InvocationInfo.ScriptLineNumber))" }
    $script:results.Add([pscustomobject]@{ Name = $Name; Passed = $ok })
    Write-Host ('{0} {1} ({2} ms){3}' -f ($ok ? '[ OK ]' : '[FAIL]'), $Name, $clock.ElapsedMilliseconds, ($note ? ": $note" : ''))
}

function Join([string[]] $Parts) { [IO.Path]::Combine($Parts) }

# --- a private conda world under $Root (no .condarc of the machine, its own caches and envs_dirs)
if (Test-Path -LiteralPath $Root) { Remove-Item -LiteralPath $Root -Recurse -Force }
New-Item -ItemType Directory -Path $Root | Out-Null
Import-Module $Module -Force
Import-Module (Join $PSScriptRoot, '..', 'EnvTools.Tests', 'TestPackages.psm1') -Force
$null = Use-IsolatedConda -Root (Join $Root, 'conda')
$env:USERPROFILE = $env:HOME
$channel = Join $Root, 'channel'
$prefix = Join $Root, 'conda', 'envs', 'demo'
$crlf = "`r`n"

Step 'PowerShell 7.6 on Windows' {
    "PowerShell $($PSVersionTable.PSVersion) on $([Runtime.InteropServices.RuntimeInformation]::OSDescription)"
    $IsWindows -and $PSVersionTable.PSVersion -ge [version]'7.6'
}
Step 'the engine sees win-64' { [EnvTools.Conda.Platform]::Current.Name; [EnvTools.Conda.Platform]::Current.Name -eq 'win-64' }

Step 'a win-64 channel built with PackageBuilder' {
    $placeholder = Get-TestPlaceholder
    New-TestPackage -Channel $channel -Name python -Version 3.11.9 -Build h0_cpython -Subdir win-64 -Files @{
        'python.exe'                   = [IO.File]::ReadAllBytes($Python)
        'Lib/os.py'                    = "# the standard library stand-in$crlf"
        'Lib/site-packages/README.txt' = "site-packages$crlf"
        'Scripts/pyinfo.bat'           = "@echo off${crlf}echo pyinfo %*${crlf}"
    } | Out-Null
    New-TestPackage -Channel $channel -Name libdemo -Version 1.0 -Subdir win-64 -Files @{
        'Library/bin/demotool.bat'              = "@echo off${crlf}echo demotool in %~dp0${crlf}"
        'Library/share/libdemo/config.txt'      = "prefix=$placeholder$crlf"
        'etc/conda/activate.d/libdemo-home.bat'   = "@set `"LIBDEMO_HOME=%CONDA_PREFIX%\Library`"$crlf"
        'etc/conda/deactivate.d/libdemo-home.bat' = "@set LIBDEMO_HOME=$crlf"
        'etc/conda/activate.d/libdemo-ps.ps1'     = "`$env:LIBDEMO_PS = `"ps1 saw `$env:CONDA_DEFAULT_ENV`"$crlf"
        'etc/conda/deactivate.d/libdemo-ps.ps1'   = "Remove-Item Env:LIBDEMO_PS$crlf"
        # a .bat beside a .ps1 of the same name is cmd's copy of it: PowerShell runs the .ps1 only
        'etc/conda/activate.d/libdemo-pair.bat'   = "@set LIBDEMO_PAIR=bat$crlf"
        'etc/conda/activate.d/libdemo-pair.ps1'   = "`$env:LIBDEMO_PAIR = 'ps1'$crlf"
        'etc/conda/deactivate.d/libdemo-pair.ps1' = "Remove-Item Env:LIBDEMO_PAIR$crlf"
    } | Out-Null
    New-TestPackage -Channel $channel -Name tinycli -Version 1.0 -Build pyh_0 -Noarch python -Depends python `
        -EntryPoints 'tinycli = tinycli.cli:main' -Files @{
        'site-packages/tinycli/__init__.py' = "VERSION = '1.0'$crlf"
        'site-packages/tinycli/cli.py'      = "def main():${crlf}    print('tinycli')$crlf"
    } | Out-Null
    New-TestPackage -Channel $channel -Name notes -Version 1.0 -Noarch generic -Files @{ 'share/notes/notes.txt' = "notes$crlf" } | Out-Null
    Update-TestChannelIndex $channel | Out-Null
    (Get-ChildItem -LiteralPath (Join $channel, 'win-64') -Filter *.conda).Name -join ', '
}

Step 'New-Env creates the Windows layout (python.exe, Lib\site-packages, Scripts, Library\bin)' {
    $info = New-Env -Prefix $prefix python libdemo notes -Channel $channel
    $missing = 'python.exe', 'Lib\site-packages\README.txt', 'Scripts\pyinfo.bat', 'Library\bin\demotool.bat', 'share\notes\notes.txt',
        'conda-meta\history' | Where-Object { -not (Test-Path -LiteralPath (Join $prefix, $_)) }
    "PackageCount=$($info.PackageCount) missing=[$($missing -join ', ')]"
    $info.PackageCount -eq 3 -and -not $missing
}
Step 'text prefix placeholders become the prefix with forward slashes (as conda writes them on Windows)' {
    $text = [IO.File]::ReadAllText((Join $prefix, 'Library', 'share', 'libdemo', 'config.txt'))
    $text.Trim()
    $text -eq "prefix=$($prefix.Replace('\', '/'))$crlf"
}
Step 'files are hard links into the package cache' {
    $item = Get-Item -LiteralPath (Join $prefix, 'Library', 'bin', 'demotool.bat')
    "LinkType=$($item.LinkType)"
    $item.LinkType -eq 'HardLink'
}

Step 'Install-EnvPackage a noarch: python package into Lib\site-packages' {
    Install-EnvPackage -Prefix $prefix tinycli -Channel $channel | Out-Null
    Test-Path -LiteralPath (Join $prefix, 'Lib', 'site-packages', 'tinycli', 'cli.py')
}
Step '.pyc files compiled by the environment''s python.exe and recorded in conda-meta' {
    $cache = Join $prefix, 'Lib', 'site-packages', 'tinycli', '__pycache__'
    $pyc = @(Get-ChildItem -LiteralPath $cache -Filter *.pyc | Sort-Object Name)
    $magic = [IO.File]::ReadAllBytes($pyc[0].FullName)[0..3]
    $record = Get-Content -Raw (Get-ChildItem -LiteralPath (Join $prefix, 'conda-meta') -Filter 'tinycli-*.json').FullName | ConvertFrom-Json
    $recorded = @($record.paths_data.paths | Where-Object path_type -eq 'pyc_file' | ForEach-Object _path)
    "pyc=[$($pyc.Name -join ', ')] recorded=[$($recorded -join ', ')]"
    ($pyc.Name -join ',') -eq '__init__.cpython-311.pyc,cli.cpython-311.pyc' -and "$magic" -eq '167 13 13 10' -and
        ($recorded -join ',') -eq 'Lib/site-packages/tinycli/__pycache__/__init__.cpython-311.pyc,Lib/site-packages/tinycli/__pycache__/cli.cpython-311.pyc'
}
Step 'entry point: Scripts\tinycli-script.py and its launcher Scripts\tinycli.exe' {
    $script = Join $prefix, 'Scripts', 'tinycli-script.py'
    $exe = Join $prefix, 'Scripts', 'tinycli.exe'
    "script=$(Test-Path -LiteralPath $script) exe=$(Test-Path -LiteralPath $exe)"
    (Get-Content -Raw -LiteralPath $script) -match 'from tinycli\.cli import main' -and (Test-Path -LiteralPath $exe)
}

Step 'Test-Env: intact, then a changed file is reported' {
    $before = Test-Env -Prefix $prefix -Quiet
    Add-Content -LiteralPath (Join $prefix, 'share', 'notes', 'notes.txt') -Value 'changed'
    $after = Test-Env -Prefix $prefix -Quiet
    $problems = @(Test-Env -Prefix $prefix)
    "intact=$before afterChange=$after reported=[$(($problems | ForEach-Object { "$($_.Path)" }) -join ', ')]"
    $before -and -not $after -and ($problems | Where-Object { "$($_.Path)" -like '*notes.txt' })
}
Step 'Get-Env sizes: SizeOnDisk is the files'' bytes, ExclusiveSize leaves out what the cache shares' {
    $bytes = (Get-ChildItem -LiteralPath $prefix -Recurse -File -Force | Measure-Object -Property Length -Sum).Sum
    $e = Get-Env | Where-Object Prefix -eq $prefix
    "SizeOnDisk=$($e.SizeOnDisk) ExclusiveSize=$($e.ExclusiveSize) files=$bytes"
    $e.SizeOnDisk -eq $bytes -and $e.ExclusiveSize -gt 0 -and $e.ExclusiveSize -lt $e.SizeOnDisk
}

$envBefore = [Environment]::GetEnvironmentVariables()
Step 'Enable-Env puts prefix, Library\bin, Scripts first on PATH, in conda''s order' {
    Enable-Env -Prefix $prefix
    $path = $env:PATH -split ';'
    $want = $prefix, (Join $prefix, 'Library', 'mingw-w64', 'bin'), (Join $prefix, 'Library', 'usr', 'bin'),
        (Join $prefix, 'Library', 'bin'), (Join $prefix, 'Scripts'), (Join $prefix, 'bin')
    "CONDA_PREFIX=$env:CONDA_PREFIX PATH starts $($path[0..5] -join ';')"
    $env:CONDA_PREFIX -eq $prefix -and (($path[0..5] -join ';') -eq ($want -join ';'))
}
Step 'activate.d: the .bat (in cmd) and the .ps1 scripts ran; of a .bat/.ps1 pair only the .ps1' {
    "LIBDEMO_HOME=$env:LIBDEMO_HOME LIBDEMO_PS=$env:LIBDEMO_PS LIBDEMO_PAIR=$env:LIBDEMO_PAIR"
    $env:LIBDEMO_HOME -eq (Join $prefix, 'Library') -and $env:LIBDEMO_PS -eq 'ps1 saw demo' -and $env:LIBDEMO_PAIR -eq 'ps1'
}
Step 'commands by name: python, demotool (.bat in Library\bin), pyinfo (.bat in Scripts)' {
    $py = (Get-Command python -CommandType Application | Select-Object -First 1).Source
    $version = & python --version
    $demo = & demotool
    $info = & pyinfo a b
    "python=$py ($version) demotool=[$demo] pyinfo=[$info]"
    $py -eq (Join $prefix, 'python.exe') -and $version -eq 'Python 3.11.9' -and $demo -eq "demotool in $(Join $prefix, 'Library', 'bin')\" -and $info -eq 'pyinfo a b'
}
Step 'the entry point runs by name, with its arguments and exit code' {
    $out = & tinycli one 'two words' --exit=3
    $code = $LASTEXITCODE
    "exit=$code output=[$($out -join ' / ')]"
    $code -eq 3 -and ($out -join "`n") -match 'tinycli-script\.py one two words --exit=3' -and ($out -join "`n") -match 'entry point tinycli\.cli:main'
}
Step 'Disable-Env restores the session''s environment exactly and runs deactivate.d' {
    Disable-Env
    $after = [Environment]::GetEnvironmentVariables()
    $changed = @($envBefore.Keys + $after.Keys | Sort-Object -Unique | Where-Object { $envBefore[$_] -cne $after[$_] })
    "changed=[$($changed -join ', ')]"
    $changed.Count -eq 0
}

Step 'Uninstall-EnvPackage removes the package''s files, its .pyc files and entry point' {
    Uninstall-EnvPackage -Prefix $prefix tinycli | Out-Null
    $left = 'Lib\site-packages\tinycli', 'Scripts\tinycli-script.py', 'Scripts\tinycli.exe' | Where-Object { Test-Path -LiteralPath (Join $prefix, $_) }
    $meta = @(Get-ChildItem -LiteralPath (Join $prefix, 'conda-meta') -Filter 'tinycli-*.json')
    "left=[$($left -join ', ')] records=$($meta.Count)"
    -not $left -and $meta.Count -eq 0
}
Step 'Remove-Env deletes the prefix and forgets it' {
    Remove-Env -Prefix $prefix -Confirm:$false
    $listed = @(Get-Env | Where-Object Prefix -eq $prefix)
    "exists=$(Test-Path -LiteralPath $prefix) listed=$($listed.Count)"
    -not (Test-Path -LiteralPath $prefix) -and $listed.Count -eq 0
}
Step 'Clear-EnvCache -All leaves no package in the cache' {
    Clear-EnvCache -All -Confirm:$false | Out-Null
    $pkgs = Join $Root, 'conda', 'pkgs'
    $left = @(Get-ChildItem -LiteralPath $pkgs -Force | Where-Object { $_.Name -like '*-*-*' })
    "left=[$(($left | ForEach-Object Name) -join ', ')]"
    $left.Count -eq 0
}

$passed = @($results | Where-Object Passed).Count
$failed = $results.Count - $passed
Write-Host "scenario: $passed passed, $failed failed"
exit ([int]($failed -gt 0))
