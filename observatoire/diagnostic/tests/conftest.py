import pytest

from observatoire.questionnaires.choices import Population
from observatoire.questionnaires.services import load_builtin


@pytest.fixture
def questionnaire(db):
    """The built-in 2024 barometer questionnaire, which the grid is checked against."""
    return load_builtin(2024, Population.AUTHORITIES)
