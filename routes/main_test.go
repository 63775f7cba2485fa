package routes_test

import (
	"os"
	"testing"

	"github.com/zou-go/zou/dbtest"
)

func TestMain(m *testing.M) { os.Exit(dbtest.Main(m)) }
