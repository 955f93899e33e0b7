package tickets

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestSQLIsNamed keeps the store's SQL in one place: every query a call
// runs is a named statement (sql_*.go) or the result of a named builder,
// never text written at the call site, so a maintainer reads the store's
// SQL in one set of files and a second engine has one place to check.
func TestSQLIsNamed(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") || strings.HasPrefix(name, "sql_") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var fn string
			switch f := call.Fun.(type) {
			case *ast.SelectorExpr:
				fn = f.Sel.Name
			case *ast.Ident:
				fn = f.Name
			}
			i, ok := queryArg[fn]
			if !ok || len(call.Args) <= i {
				return true
			}
			if hasText(call.Args[i]) {
				t.Errorf("%s: SQL written at the call site; name it in sql_*.go", fset.Position(call.Pos()))
			}
			return true
		})
	}
}

// queryArg is where the query is among the arguments of the calls that
// run one: database/sql's methods and the store's own helpers.
var queryArg = map[string]int{"ExecContext": 1, "QueryContext": 1, "QueryRowContext": 1, "Exec": 0, "Query": 0, "QueryRow": 0,
	"queryIDs": 2, "ids": 0, "untilDue": 5}

func hasText(e ast.Expr) bool {
	found := false
	ast.Inspect(e, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			found = true
		}
		if _, ok := n.(*ast.CallExpr); ok && n != e {
			return false // a builder's arguments are its business
		}
		return true
	})
	return found
}
