package graph

import (
	"github.com/vektah/gqlparser/v2/validator/core"
	"github.com/vektah/gqlparser/v2/validator/rules"
)

// rulesWithoutSuggestions returns gqlparser's default validation rules
// with each rule that guesses names ("Did you mean …?") swapped for its
// variant that does not. gqlgen's SetDisableSuggestion swaps only the
// rules for unknown fields and leaf selections; the rules for unknown
// arguments, fragment types, enum values and input fields still guess.
func rulesWithoutSuggestions() *rules.Rules {
	r := rules.NewDefaultRules()
	for _, swap := range []struct{ guessing, quiet core.Rule }{
		{rules.FieldsOnCorrectTypeRule, rules.FieldsOnCorrectTypeRuleWithoutSuggestions},
		{rules.KnownArgumentNamesRule, rules.KnownArgumentNamesRuleWithoutSuggestions},
		{rules.KnownTypeNamesRule, rules.KnownTypeNamesRuleWithoutSuggestions},
		{rules.ScalarLeafsRule, rules.ScalarLeafsRuleWithoutSuggestions},
		{rules.ValuesOfCorrectTypeRule, rules.ValuesOfCorrectTypeRuleWithoutSuggestions},
	} {
		r.RemoveRule(swap.guessing.Name)
		r.AddRule(swap.quiet.Name, swap.quiet.RuleFunc)
	}
	return r
}
