# The suites' isolation of the process environment restores it exactly, so that a file's result does not depend on
# the files run before it in the same pwsh (Activation.Tests failed its changeps1 and CUDA override tests when a file
# using Use-IsolatedConda ran first: its restore left CONDA_RESTRICT_RC_SEARCH_PATH set, empty, hiding ~/.condarc).
BeforeAll {
    $modulePath = $env:ENVTOOLS_MODULE
    if (-not $modulePath) { $modulePath = Join-Path $PSScriptRoot '../../out/EnvTools/EnvTools.psd1' }
    Import-Module $modulePath -Force
    Import-Module (Join-Path $PSScriptRoot 'TestPackages.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'TestIsolation.psm1') -Force
    function Snapshot { Get-ChildItem env: | Sort-Object Name | ForEach-Object { "$($_.Name)=$($_.Value)" } }
}

Describe 'Test isolation' {
    It 'Use-IsolatedConda then Restore-IsolatedConda leaves the process environment as it was' {
        $before = Snapshot
        $saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'iso')
        $env:CONDA_RESTRICT_RC_SEARCH_PATH | Should -Be 'true'
        Restore-IsolatedConda $saved
        Snapshot | Should -Be $before
        Test-Path env:CONDA_RESTRICT_RC_SEARCH_PATH | Should -BeFalse
    }

    It 'reads ~/.condarc again after an isolated block is restored' {
        $saved = Use-IsolatedConda -Root (Join-Path $TestDrive 'iso2')
        Restore-IsolatedConda $saved
        $home0 = $env:HOME; $profile0 = $env:USERPROFILE
        try {
            $env:HOME = $env:USERPROFILE = Join-Path $TestDrive 'home'   # ~ is USERPROFILE on Windows, HOME elsewhere
            New-Item -ItemType Directory $env:HOME -Force | Out-Null
            Set-Content (Join-Path $env:HOME '.condarc') "changeps1: false`n"
            (Get-EnvConfig changeps1).Value | Should -BeFalse
        }
        finally { $env:HOME = $home0; $env:USERPROFILE = $profile0 }
    }

    It 'Set-TestVariable removes a variable for $null and sets one otherwise' {
        Set-TestVariable ENVTOOLS_ISOLATION_PROBE 'x'
        $env:ENVTOOLS_ISOLATION_PROBE | Should -Be 'x'
        Set-TestVariable ENVTOOLS_ISOLATION_PROBE $null
        Test-Path env:ENVTOOLS_ISOLATION_PROBE | Should -BeFalse
    }
}
