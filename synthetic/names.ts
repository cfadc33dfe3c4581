/** Name lists for synthetic people. Combinations are generated at random; none describes a real person. */
export const girlsNames = [
  'Amelia', 'Olivia', 'Isla', 'Ava', 'Mia', 'Ivy', 'Lily', 'Isabella', 'Rosie', 'Sophia', 'Grace', 'Willow',
  'Freya', 'Florence', 'Emily', 'Ella', 'Poppy', 'Evie', 'Elsie', 'Charlotte', 'Evelyn', 'Sienna', 'Sofia',
  'Daisy', 'Phoebe', 'Sophie', 'Alice', 'Harper', 'Matilda', 'Ruby', 'Emilia', 'Maya', 'Millie', 'Isabelle',
  'Eliza', 'Arabella', 'Delilah', 'Aria', 'Layla', 'Zara', 'Hannah', 'Amara', 'Esme', 'Jessica', 'Katherine',
  'Elizabeth', 'Margaret', 'Rebecca', 'Victoria', 'Abigail', 'Jennifer', 'Samantha', 'Alexandra', 'Megan',
];
export const boysNames = [
  'Noah', 'Oliver', 'George', 'Arthur', 'Muhammad', 'Leo', 'Harry', 'Oscar', 'Archie', 'Henry', 'Theodore',
  'Freddie', 'Jack', 'Charlie', 'Theo', 'Alfie', 'Jacob', 'Thomas', 'Finley', 'Arlo', 'William', 'Lucas',
  'Roman', 'Tommy', 'Isaac', 'Teddy', 'Alexander', 'Luca', 'Edward', 'James', 'Joshua', 'Albie', 'Elijah',
  'Max', 'Mohammed', 'Reggie', 'Hugo', 'Ethan', 'Daniel', 'Benjamin', 'Samuel', 'Joseph', 'Matthew',
  'Christopher', 'Nicholas', 'Jonathan', 'Michael', 'Robert', 'Richard', 'Anthony', 'Zachary', 'Jayden',
];
export const adultNames = [
  'Sarah', 'Claire', 'Emma', 'Laura', 'Rachel', 'Gemma', 'Nicola', 'Kirsty', 'Amy', 'Leanne', 'Joanne',
  'Mark', 'Paul', 'David', 'Andrew', 'Craig', 'Darren', 'Lee', 'Stuart', 'Gareth', 'Neil', 'Wayne', 'Dean',
];
export const familyNames = [
  'Smith', 'Jones', 'Williams', 'Taylor', 'Brown', 'Davies', 'Evans', 'Wilson', 'Thomas', 'Johnson', 'Roberts',
  'Robinson', 'Thompson', 'Wright', 'Walker', 'White', 'Edwards', 'Hughes', 'Green', 'Hall', 'Lewis', 'Harris',
  'Clarke', 'Patel', 'Jackson', 'Wood', 'Turner', 'Martin', 'Cooper', 'Hill', 'Ward', 'Morris', 'Moore',
  'Clark', 'Lee', 'King', 'Baker', 'Harrison', 'Morgan', 'Allen', 'James', 'Scott', 'Phillips', 'Watson',
  'Davis', 'Parker', 'Price', 'Bennett', 'Young', 'Griffiths', 'Mitchell', 'Kelly', 'Cook', 'Carter',
  'Richardson', 'Bailey', 'Collins', 'Bell', 'Shaw', 'Murphy', 'Miller', 'Cox', 'Richards', 'Khan', 'Marshall',
  'Anderson', 'Simpson', 'Ellis', 'Adams', 'Singh', 'Begum', 'Wilkinson', 'Foster', 'Chapman', 'Powell',
  'Webb', 'Rogers', 'Gray', 'Mason', 'Ali', 'Hunt', 'Hussain', 'Campbell', 'Matthews', 'Owen', 'Palmer',
  'Holmes', 'Mills', 'Barnes', 'Knight', 'Lloyd', 'Butler', 'Russell', 'Barker', 'Fisher', 'Stevens', 'Jenkins',
  'Okafor', 'Adeyemi', 'Nowak', 'Kowalski', 'Ahmed', 'Hart', 'Okonkwo', 'Mensah', 'Rahman', 'Chowdhury',
];
/** Familiar forms that records held by other agencies often use instead of the registered name. */
export const nicknames: Record<string, string> = {
  Thomas: 'Tom', Elizabeth: 'Liz', William: 'Billy', James: 'Jamie', Alexander: 'Alex', Katherine: 'Katie',
  Margaret: 'Maggie', Rebecca: 'Becky', Victoria: 'Vicky', Abigail: 'Abbie', Jennifer: 'Jenny', Samantha: 'Sam',
  Alexandra: 'Lexi', Theodore: 'Teddy', Frederick: 'Freddie', Edward: 'Eddie', Joshua: 'Josh', Benjamin: 'Ben',
  Samuel: 'Sammy', Joseph: 'Joe', Matthew: 'Matt', Christopher: 'Chris', Nicholas: 'Nick', Jonathan: 'Jon',
  Michael: 'Mikey', Robert: 'Bobby', Richard: 'Rich', Anthony: 'Tony', Zachary: 'Zach', Daniel: 'Danny',
  Isabella: 'Bella', Charlotte: 'Lottie', Florence: 'Flo', Matilda: 'Tilly', Eliza: 'Lizzie', Sophia: 'Sophie',
  Oliver: 'Ollie', Archibald: 'Archie', Harrison: 'Harry', Alfred: 'Alfie', Emily: 'Em', Isabelle: 'Izzy',
};
export const streets = [
  'Mill Lane', 'Church Street', 'Station Road', 'Victoria Road', 'Green Lane', 'Manor Road', 'Park Avenue',
  'Queens Road', 'New Road', 'Kings Road', 'Grange Road', 'Highfield Road', 'Springfield Road', 'Orchard Close',
  'Willow Way', 'Beech Grove', 'Elm Drive', 'Meadow View', 'Riverside Walk', 'Castle Street', 'Bridge Street',
  'School Lane', 'Chapel Road', 'Hawthorn Crescent', 'Oak Close', 'The Crescent', 'Albert Road', 'York Road',
];
/** Fictional towns in the fictional county of Northshire; postcodes use the unallocated "NS" area. */
export const towns = ['Northshire', 'Eastbrook', 'Millford', 'Ashby Vale', 'Kingsmere', 'Westholme', 'Fernley'];
