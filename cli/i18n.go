package cli

import (
	"fmt"
	"os"
	"strings"
	"sync"
)

// The command line's words for people, in English or French. Only text
// meant to be read is translated: --json documents (their fields and
// message) stay English, as scripts read them.

// french says whether the person asked for French, as POSIX tools decide
// a language: LC_ALL, then LC_MESSAGES, then LANG, the first one set.
func french() bool {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v != "" {
			return strings.HasPrefix(strings.ToLower(v), "fr")
		}
	}
	return false
}

// tr formats an English format string, or its French text when French is
// asked for and the catalogue has it. Without arguments the format is
// returned as is, so a text with a '%' in it is not misread.
func tr(format string, args ...any) string {
	if french() {
		if f, ok := frenchTexts()[format]; ok {
			format = f
		}
	}
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}

// frenchTexts maps English format strings to French ones, with French
// typography (a space before ':', ';', '?' and '!'); each keeps the
// English one's verbs in the same order (a test checks).
var frenchTexts = sync.OnceValue(func() map[string]string {
	return map[string]string{
		// Choosing a contract.
		"you belong to %d contracts: choose the one to act on with --contract ID (it is remembered for the next commands)":                           "vous faites partie de %d contrats : choisissez celui sur lequel agir avec --contract ID (il est retenu pour les commandes suivantes)",
		"contract %s is not one of yours: choose one with --contract ID":                                                                             "le contrat %s n’est pas l’un des vôtres : choisissez-en un avec --contract ID",
		"contract %s, the one chosen last on this machine, is no longer one of yours (this machine has forgotten it): choose one with --contract ID": "le contrat %s, choisi en dernier sur cette machine, n’est plus l’un des vôtres (cette machine l’a oublié) : choisissez-en un avec --contract ID",
		":":                               " :",
		"; you belong to no contract now": " ; vous ne faites plus partie d’aucun contrat",
		"Acting on contract %s (%s), from now on until you choose another.\n": "Les commandes agissent sur le contrat %s (%s), désormais et jusqu’à ce que vous en choisissiez un autre.\n",
		"\tCONTRACT\tCOMPANY\tROLE\tSTATUS":                                   "\tCONTRAT\tSOCIÉTÉ\tRÔLE\tÉTAT",
		"* the oldest, as none is chosen: commands that act on a contract ask you to choose one with --contract ID or '%s contracts use ID'.\n": "* le plus ancien, aucun n’étant choisi : les commandes qui agissent sur un contrat vous demandent d’en choisir un avec --contract ID ou « %s contracts use ID ».\n",
		"* the one commands act on; choose another with --contract ID or '%s contracts use ID'.\n":                                              "* celui sur lequel agissent les commandes ; choisissez-en un autre avec --contract ID ou « %s contracts use ID ».\n",
		"Commands act on contract %s (%s) from now on.\n":                                                                                       "Les commandes agissent désormais sur le contrat %s (%s).\n",
		"\nYour contracts:\n": "\nVos contrats :\n",

		// Rights: the refusal before downloading.
		"Nothing was downloaded. Ask your contract manager or software coordinator to assign you the product.":                                                               "Rien n’a été téléchargé. Demandez à votre responsable de contrat ou à votre coordinateur logiciel de vous attribuer le produit.",
		"Nothing was downloaded. Installing, and making a seat key (deploy create --register), need the install benefit: ask your contract manager or software coordinator.": "Rien n’a été téléchargé. Installer, et créer une clé de poste (deploy create --register), demandent le droit d’installation : adressez-vous à votre responsable de contrat ou à votre coordinateur logiciel.",
		"Nothing was downloaded. Downloading needs the download benefit (contract managers and software coordinators have it by their role): ask your contract manager.":     "Rien n’a été téléchargé. Télécharger demande le droit de téléchargement (les responsables de contrat et les coordinateurs logiciels l’ont par leur rôle) : adressez-vous à votre responsable de contrat.",

		// Users' roles and addresses.
		"role %q: want manager, coordinator or user": "rôle %q : manager, coordinator ou user attendu",
		"%s (%s) is now %s.\n":                       "%s (%s) est désormais %s.\n",
		"%s's address is now %s.\n":                  "L’adresse de %s est désormais %s.\n",
		"%s's address is now %s; the start email goes to it when the contract starts, on %s.\n":                                                                  "L’adresse de %s est désormais %s ; l’email de démarrage y sera envoyé au début du contrat, le %s.\n",
		"%s's address is now %s; a new start email is on its way to it (its temporary password works once, until %s). The old address's links no longer work.\n": "L’adresse de %s est désormais %s ; un nouvel email de démarrage y est envoyé (son mot de passe temporaire sert une fois, jusqu’au %s). Les liens envoyés à l’ancienne adresse ne fonctionnent plus.\n",
		"A confirmation link was sent to %s; it works until %s. Your address changes only once it is opened.\n":                                                  "Un lien de confirmation a été envoyé à %s ; il fonctionne jusqu’au %s. Votre adresse ne change qu’une fois le lien ouvert.\n",
		"  %s keeps the name %q: adding someone never renames them\n":                                                                                            "  %s garde le nom %q : ajouter une personne ne la renomme jamais\n",
	}
})
