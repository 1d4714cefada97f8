"""The wording of the clinic calls: sentence templates per dialogue step, one disjoint bank per split.

Slots: clinic.SLOT_NAMES, plus `{issue}` (the patient's symptom, from ISSUES). The banks share no sentence
and no symptom. Numbers are written as words: the transcript holds what is spoken.
"""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "train": {
        "greeting": (
            "Good morning, {practice}, this is {agent_first} speaking. How can I help?",
            "Thank you for calling {practice}. You're through to {agent_first} at reception.",
            "Hello, {practice} appointments line, {agent_first} speaking. What can I do for you today?",
        ),
        "reason": (
            "Hi {agent_first}. I'd like to see a doctor, I've had {issue}.",
            "Hello. I'm calling about a repeat prescription, and I've also had {issue}.",
            "Hi, I need an appointment please. I've been getting {issue}.",
        ),
        "ask_identity": (
            "Of course. Can I take your full name and your medical record number?",
            "I can help with that. What's the patient's name and record number?",
            "Let me find your chart. Could I have your name and medical record number, please?",
        ),
        "give_identity": (
            "It's {patient_full}, and my medical record number is {record_number}.",
            "My name is {patient_full}. The record number is {record_number}.",
            "Sure, {patient_full}, record number {record_number}.",
        ),
        "ask_dob": (
            "Thank you, {patient_first}. And your date of birth, please?",
            "Thanks. Can you confirm the date of birth on your chart?",
            "Lovely. I just need your date of birth to check it's you.",
        ),
        "give_dob": (
            "It's {dob}.",
            "My date of birth is {dob}.",
            "I was born on {dob}.",
        ),
        "hold": (
            "Thank you, that matches. Bear with me while I open your notes.",
            "Perfect, you're verified. One moment while I check the doctor's diary.",
        ),
        "ask_phone": (
            "Is this still the best number to reach you on?",
            "What's a good phone number in case the surgery needs to call you back?",
        ),
        "give_phone": (
            "Yes, it's {phone}.",
            "The best number is {phone}, that's my mobile.",
        ),
        "ask_symptoms": (
            "I'm sorry you're unwell. When did the symptoms start?",
            "Can you tell me a bit more? How long have you had the symptoms?",
        ),
        "describe_symptoms": (
            "It started around {onset_date}. It's {issue}, and now I'm a bit short of breath too.",
            "Since {onset_date}. Mostly it's {issue}, and I've had a mild temperature.",
        ),
        "ask_medication": (
            "Are you taking any regular medication at the moment?",
            "Which medicine is the prescription for, and what dose are you on?",
        ),
        "give_medication": (
            "I take {drug}, {dose} {schedule}, for my blood pressure.",
            "Just {drug}, {dose} {schedule}. I'm nearly out of it.",
        ),
        "ask_pharmacy": (
            "Which pharmacy would you like the prescription sent to?",
            "Do you have a nominated pharmacy for collection?",
        ),
        "give_pharmacy": (
            "Please send it to {pharmacy}.",
            "I always use {pharmacy}, it's just round the corner.",
        ),
        "resolve": (
            "I've booked you in with Doctor {doctor} on {appointment_date}, and I've sent a refill request for your {drug}.",
            "Doctor {doctor} can see you on {appointment_date}. I've also flagged your {drug} for a medication review.",
            "There's a cancellation with Doctor {doctor} on {appointment_date}. I've put you in, and the {drug} refill is with the pharmacist.",
        ),
        "ask_insurance": (
            "Has your insurance changed since your last visit?",
            "Can I check your insurance details while I have you?",
        ),
        "give_insurance": (
            "I'm with {insurer}, and my member number is {member_number}.",
            "It's still {insurer}. The member number is {member_number}.",
        ),
        "ask_copay": (
            "How much will the visit cost me?",
            "Do I need to pay anything on the day?",
        ),
        "answer_copay": (
            "Your copay for the appointment will be {copay}.",
            "With your plan it's a copay of {copay}, payable at the front desk.",
        ),
        "thanks": (
            "That's great, thank you so much.",
            "Brilliant, thanks for your help.",
        ),
        "closing": (
            "You're welcome, {patient_first}. If the symptoms get worse, please call us straight away.",
            "No problem at all, {patient_first}. Take care, and see you soon at {practice}.",
        ),
    },
    "holdout": {
        "greeting": (
            "Hello, you've reached {practice}. My name is {agent_first}, how may I help you?",
            "{practice} patient services, {agent_first} here. Who am I speaking with?",
        ),
        "reason": (
            "Hello {agent_first}. I've been suffering with {issue} and I'd like the doctor to have a look.",
            "Morning. I'm ringing because of {issue}, and I need my tablets renewed as well.",
        ),
        "ask_identity": (
            "Certainly. May I have your name and the number on your patient record?",
            "No problem. First, what name and record number is the patient registered under?",
        ),
        "give_identity": (
            "{patient_full}. My record number should be {record_number}.",
            "This is {patient_full}, and the number on my record is {record_number}.",
        ),
        "ask_dob": (
            "Thanks, {patient_first}. What's your date of birth?",
            "Got it. For security, may I have your date of birth?",
        ),
        "give_dob": (
            "Sure, it's {dob}.",
            "That would be {dob}.",
        ),
        "hold": (
            "Right, that's all correct. Let me bring up the clinic schedule.",
            "Thanks, I've found you. Please hold while I look at the available slots.",
        ),
        "ask_phone": (
            "Could I confirm a contact number for you?",
            "Which number should the nurse use to call you?",
        ),
        "give_phone": (
            "You can ring me on {phone}.",
            "Try {phone}, I'll keep it with me.",
        ),
        "ask_symptoms": (
            "That sounds uncomfortable. Roughly when did it begin?",
            "Poor you. What date did you first notice it?",
        ),
        "describe_symptoms": (
            "About {onset_date}. It's {issue}, and the paracetamol isn't helping.",
            "I first noticed it on {onset_date}. There's {issue}, plus some nausea in the evenings.",
        ),
        "ask_medication": (
            "And what are you currently prescribed?",
            "Remind me which tablets you take, and how much?",
        ),
        "give_medication": (
            "I'm on {drug}, {dose} {schedule}.",
            "The doctor has me on {drug}, {dose} {schedule}, for my cholesterol.",
        ),
        "ask_pharmacy": (
            "Where should we send the prescription electronically?",
            "Which chemist do you usually collect from?",
        ),
        "give_pharmacy": (
            "{pharmacy}, please.",
            "The one I use is {pharmacy}.",
        ),
        "resolve": (
            "You're booked with Doctor {doctor} on {appointment_date}. Your {drug} renewal will be approved before then.",
            "I've reserved a slot with Doctor {doctor} on {appointment_date} and asked for a prior authorization on the {drug}.",
        ),
        "ask_insurance": (
            "Are you still covered by the same insurer?",
            "Could you read me your health plan details?",
        ),
        "give_insurance": (
            "Yes, {insurer}, member number {member_number}.",
            "My plan is with {insurer}. Member number {member_number}.",
        ),
        "ask_copay": (
            "Will there be a charge for the consultation?",
            "What will I owe for the visit?",
        ),
        "answer_copay": (
            "The consultation carries a copay of {copay}.",
            "You'll owe {copay}, and we can take a card at check in.",
        ),
        "thanks": (
            "Perfect, I appreciate it.",
            "Wonderful, that's a weight off my mind.",
        ),
        "closing": (
            "My pleasure, {patient_first}. If you develop a fever, go to urgent care. Goodbye.",
            "Take care, {patient_first}. We'll see you at {practice}.",
        ),
    },
}

ISSUES: dict[str, tuple[str, ...]] = {  # noun phrases that follow "I've had" and "It's"
    "train": (
        "a dry cough that won't go away",
        "dizzy spells when I stand up",
        "an itchy rash on my forearm",
        "a sharp pain in my lower back",
    ),
    "holdout": (
        "a tight feeling in my chest on the stairs",
        "a constant ringing in both ears",
        "swelling around my ankles",
    ),
}
