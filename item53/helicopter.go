package main

import (
	"fmt"
	"math"
)

// location is a point on the ground in metres east (x) and north (y) of the helicopter's base.
type location struct{ x, y float64 }

// The flight computeHelicopterLocation follows: a circle around the base, anticlockwise.
const (
	flightRadius       = 1000.0  // metres
	flightSpeed        = 50.0    // metres per second
	deadReckoningSteps = 100_000 // steps per computed location, however long the flight
)

// computeHelicopterLocation is the book's listing 9 stand-in for the work main does while the
// system calls block (the book's body is just `pass`). It finds where a helicopter flying a 1 km
// circle at 50 m/s is after index minutes by dead reckoning: a fixed 100,000 small steps, so every
// index costs the same real CPU work, and a test can check the answer against the circle.
func computeHelicopterLocation(index int) location {
	at := location{x: flightRadius}                // start due east of the base, flying north
	dt := float64(index) * 60 / deadReckoningSteps // seconds per step
	turn := flightSpeed / flightRadius * dt        // radians turned per step
	cos, sin := math.Cos(turn), math.Sin(turn)
	// Fly each step along the heading at its middle, which keeps the path on the circle; turning
	// the velocity by one step's angle gives the next step's.
	heading := math.Pi/2 + turn/2
	vx, vy := flightSpeed*math.Cos(heading), flightSpeed*math.Sin(heading)
	for range deadReckoningSteps {
		at.x += vx * dt
		at.y += vy * dt
		vx, vy = vx*cos-vy*sin, vx*sin+vy*cos
	}
	return at
}

// String says where l is the way a pilot would: "844 m east, 537 m south".
func (l location) String() string {
	eastWest, northSouth := "east", "north"
	if l.x < 0 {
		eastWest = "west"
	}
	if l.y < 0 {
		northSouth = "south"
	}
	return fmt.Sprintf("%.0f m %s, %.0f m %s", math.Abs(l.x), eastWest, math.Abs(l.y), northSouth)
}
